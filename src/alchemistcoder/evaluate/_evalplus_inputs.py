"""Code copied from EvalPlus 0.3.1 (https://github.com/evalplus/evalplus, Apache License 2.0,
Copyright (c) the EvalPlus team): how MBPP+ inputs stored as JSON become the arguments EvalPlus calls with
(tuples, sets, complex numbers), from ``evalplus/data/mbpp.py``.

Changes: formatting and this docstring, nothing that alters behaviour. Plain standard library: this file is
shipped into the sandbox beside evaluation's runner (``_py_runner.py``) and decontamination's probe
(``decontam/signals/_probe.py``), so both call a problem's reference solution and the samples with the same
arguments.
"""


# -- EvalPlus 0.3.1 input deserialization for MBPP+ (evalplus/data/mbpp.py) ---------------------------------
def mbpp_deserialize_inputs(task_id, inputs):
    n = int(task_id.split("/")[-1])
    if n in [
        2,
        116,
        132,
        143,
        222,
        261,
        273,
        394,
        399,
        421,
        424,
        429,
        470,
        560,
        579,
        596,
        616,
        630,
        726,
        740,
        744,
        809,
    ]:
        return [[tuple(lst) for lst in inp] for inp in inputs]
    if n in [63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780]:
        return [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]
    if n in [75, 413, 444, 753]:
        return [[[tuple(lst) for lst in inp[0]], inp[1]] for inp in inputs]
    if n in (106, 750):
        return [[inp[0], tuple(inp[1])] for inp in inputs]
    if n == 115:
        return [
            [[set(item) if isinstance(item, list) and len(item) else {} for item in inp[0]]] for inp in inputs
        ]
    if n == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if n in [250, 405, 446, 617, 720, 763, 808]:
        return [[tuple(inp[0]), inp[1]] for inp in inputs]
    if n in [259, 401, 445]:
        out = [[[tuple(lst) for lst in lst_lst] for lst_lst in inp] for inp in inputs]
        return [[tuple(lst) for lst in inp] for inp in out]
    if n == 278:
        out = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]] for inp in inputs]
        return [[tuple(lst) for lst in inp] for inp in out]
    if n == 307:
        return [[tuple(inp[0]), inp[1], inp[2]] for inp in inputs]
    if n == 722:
        return [[{key: tuple(value) for key, value in inp[0].items()}, *inp[1:]] for inp in inputs]
    if n == 252:
        return [[complex(inp[0])] for inp in inputs]
    if n in [580, 615, 791]:

        def tuplify(inp):
            if isinstance(inp, list):
                return tuple([tuplify(item) for item in inp])
            return inp

        return [tuplify(inp) for inp in inputs]
    return inputs
