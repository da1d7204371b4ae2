"""Our templates for the comprehension tasks (the LLM judge keeps its prompts in ``curate/judge.py``).

Every task sample is a plain chat (user asks, assistant answers) so that the mix and the trainer treat it like
any other sample. Several phrasings per task keep the model from learning a single surface form; the phrasing
is chosen per sample by a seeded hash.
"""

from __future__ import annotations

from alchemistcoder.curate.reasons import CATEGORIES

# ---- instruction evolution ------------------------------------------------------------------------------

EVOLVE_TASK_PROMPTS: tuple[str, ...] = (
    "Make the following programming task harder. Method: {directive}\n\nTask:\n{original}",
    "Here is a coding problem:\n\n{original}\n\nRewrite it into a more difficult version. {directive}",
    "Increase the difficulty of this programming question using the method below, and give only the new question.\n"
    "Method: {directive}\n\nQuestion:\n{original}",
)

EXPLAIN_TASK_PROMPTS: tuple[str, ...] = (
    "Compare the two programming tasks below. What changed from the first to the second, and why is the second "
    "harder?\n\nFirst task:\n{original}\n\nSecond task:\n{evolved}",
    "A programming task was rewritten.\n\nBefore:\n{original}\n\nAfter:\n{evolved}\n\n"
    "Explain how it was changed and what makes the new version more difficult.",
)

EXPLAIN_ANSWER = (
    "The second task was made harder with the method \"{label}\": {directive_lower}\n\n"
    "{changes}\n\nWhy it is harder: {rationale}."
)

METHOD_LABELS: dict[str, str] = {
    "add_constraints": "add constraints",
    "rarer_requirement": "replace a common requirement with a rarer one",
    "more_reasoning": "add reasoning steps",
    "erroneous_code": "misleading erroneous code",
    "higher_complexity": "stricter time or space complexity",
}

# ---- data filtering ---------------------------------------------------------------------------------------

# The paper's four categories (curate.reasons.CATEGORIES) and "no problem".
FILTER_OPTIONS: tuple[tuple[str, str], ...] = (*CATEGORIES.items(), ("E", "No problem: the sample is fine"))

FILTER_PROMPTS: tuple[str, ...] = (
    "You are curating code instruction data. Read the instruction and the response, then decide which problem, "
    "if any, the sample has.\n\n### Instruction\n{instruction}\n\n### Response\n{response}\n\n{options}\n\n"
    "Answer with the letter and a short reason.",
    "Below is a training sample for a code assistant.\n\nInstruction:\n{instruction}\n\nResponse:\n{response}\n\n"
    "Which of these quality problems does it have?\n{options}",
)

FILTER_ANSWER = "{letter}. {label}\n\n{explanation}"

NO_PROBLEM_EXPLANATION = "None of the four problems applies. The sample passed these checks: {checks}."

# ---- code review ------------------------------------------------------------------------------------------

REVIEW_SYSTEM = "You are a senior engineer reviewing code. You answer in JSON only."

REVIEW_REQUEST = (
    "Review the response to the programming task below. Give a correctness score from 0 to 10, a clarity score "
    "from 0 to 10, a list of concrete suggestions, and a refined version of the code that is complete and "
    "runnable.\n\n### Task\n{instruction}\n\n### Response\n{response}\n\n"
    'Answer with JSON: {{"correctness": <0-10>, "clarity": <0-10>, "suggestions": ["..."], "refined_code": "..."}}'
)

# The plain-text review format (review.format: sections). A weak model cannot produce valid JSON for a
# schema but does copy the layout of a filled-in example, so the chat shows one finished review (the same
# layout as REVIEW_ANSWER, which is also what the review tasks teach) before the real request.
REVIEW_SECTIONS_SYSTEM = "You are a senior engineer reviewing code."

REVIEW_SECTIONS_REQUEST = (
    "Review the response to the programming task. Answer in exactly this format: Correctness: <0-10>/10, "
    "Clarity: <0-10>/10, Suggestions: a short list, Refined code: the complete improved code in a fenced block."
    "\n\n### Task\n{instruction}\n\n### Response\n{response}"
)

REVIEW_EXAMPLE_TASK = "Write a Python function that returns the sum of the squares of a list of numbers."
REVIEW_EXAMPLE_RESPONSE = "```python\ndef sq(l):\n    s = 0\n    for i in l: s += i*i\n    return s\n```"
REVIEW_EXAMPLE_CODE = "def sum_of_squares(numbers):\n    return sum(x * x for x in numbers)"
REVIEW_EXAMPLE_ANSWER = (
    "Correctness: 9/10\nClarity: 6/10\n\nSuggestions:\n- Use descriptive names.\n- Use sum() with a generator."
    f"\n\nRefined code:\n```python\n{REVIEW_EXAMPLE_CODE}\n```"
)

REVIEW_TASK_PROMPTS: tuple[str, ...] = (
    "Review this answer to a programming task: score its correctness and clarity from 0 to 10, suggest "
    "improvements, and give refined code.\n\n### Task\n{instruction}\n\n### Answer\n{response}",
    "Act as a code reviewer.\n\nTask:\n{instruction}\n\nSubmitted solution:\n{response}\n\n"
    "Rate correctness (0-10) and clarity (0-10), list suggestions, and provide an improved version of the code.",
)

REVIEW_ANSWER = (
    "Correctness: {correctness}/10\nClarity: {clarity}/10\n\nSuggestions:\n{suggestions}\n\n"
    "Refined code:\n```{language}\n{code}\n```"
)
