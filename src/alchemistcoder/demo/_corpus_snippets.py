"""Demo source "snippets": CoNaLa-like Q&A, a short question answered by a one-line Python snippet.

Stored as a JSON array with its own keys (question, answer, tags), read through the generic `fields` adapter.
Written for this project (license: the project's). Defects on purpose are listed in DEFECTS.
"""

RECORDS = [
    ("How do I reverse a list in Python?", "my_list[::-1]", ["list"]),
    ("Sort a dictionary by its values in descending order", "sorted(d.items(), key=lambda kv: kv[1], reverse=True)", ["dict", "sorting"]),
    ("How to check if a file exists?", "os.path.isfile(path)", ["os"]),
    ("Convert a list of strings to a list of integers", "[int(s) for s in strings]", ["list"]),
    ("Join a list of words with commas", "', '.join(words)", ["string"]),
    ("Get the current date and time as an ISO string", "datetime.datetime.now().isoformat()", ["datetime"]),
    ("Merge two dictionaries into a new one", "merged = {**a, **b}", ["dict"]),
    ("Find the index of the maximum value in a list", "max(range(len(xs)), key=xs.__getitem__)", ["list"]),
    ("Read a whole text file into a string", "text = open('notes.txt', encoding='utf-8').read()", ["file"]),
    ("Split a string on any whitespace", "s.split()", ["string"]),
    ("Remove all punctuation from a string", "s.translate(str.maketrans('', '', string.punctuation))", ["string"]),
    ("Count how often an item occurs in a list", "my_list.count(item)", ["list"]),
    ("Flatten a list of lists one level", "[x for sub in lists for x in sub]", ["list"]),
    ("Check if a string contains only digits", "s.isdigit()", ["string"]),
    ("Get the unique elements of a list", "list(set(items))", ["list", "set"]),
    ("Swap the values of two variables", "a, b = b, a", ["basics"]),
    ("Parse a JSON string into a Python object", "data = json.loads(text)", ["json"]),
    ("Write a dictionary to a file as pretty-printed JSON", "json.dump(data, open('out.json', 'w'), indent=2)", ["json", "file"]),
    ("Find all email addresses in a text", r"re.findall(r'[\w.+-]+@[\w-]+\.[\w.]+', text)", ["regex"]),
    ("Replace every run of whitespace with one space", r"re.sub(r'\s+', ' ', text).strip()", ["regex", "string"]),
    ("Get the file extension from a path", "os.path.splitext(path)[1]", ["os"]),
    ("List all .py files in a directory recursively", "list(pathlib.Path('.').rglob('*.py'))", ["pathlib"]),
    ("Pad a number with leading zeros to 5 digits", "f'{n:05d}'", ["string", "format"]),
    ("Round a float to two decimal places", "round(x, 2)", ["math"]),
    ("Create a list of 10 zeros", "[0] * 10", ["list"]),
    ("Zip two lists into a list of pairs", "list(zip(a, b))", ["list"]),
    ("Transpose a list of lists", "list(map(list, zip(*matrix)))", ["list", "matrix"]),
    ("Get the last element of a list", "my_list[-1]", ["list"]),
    ("Convert a string to lowercase", "s.lower()", ["string"]),
    ("Get the keys of a dictionary whose value is None", "[k for k, v in d.items() if v is None]", ["dict"]),
    ("Sum the values of a dictionary", "sum(d.values())", ["dict"]),
    ("Remove a key from a dictionary if it exists", "d.pop(key, None)", ["dict"]),
    ("Shuffle a list in place", "random.shuffle(items)", ["random"]),
    ("Pick a random element from a list", "random.choice(items)", ["random"]),
    ("Group consecutive equal elements of a list", "[list(g) for _, g in itertools.groupby(xs)]", ["itertools"]),
    # defect: exact duplicate of record 0
    ("How do I reverse a list in Python?", "my_list[::-1]", ["list"]),
    # defect: no code, the answer only says what to use
    ("What is the fastest way to count items in Python?", "Use a Counter from the collections module, it is implemented in C.", ["collections"]),
    # defect: code that does not parse
    ("Print the squares of numbers 1 to 5", "for i in range(1, 6) print(i ** 2)", ["loop"]),
    # defect: near duplicate of record 5
    ("Get current date and time as an ISO 8601 string", "datetime.datetime.now().isoformat()", ["datetime"]),
    ("Sort a list of tuples by their second element", "sorted(pairs, key=lambda p: p[1])", ["list", "sorting"]),
]

DEFECTS = [(35, "exact_duplicate_of:0"), (36, "no_code"), (37, "unparseable"), (38, "near_duplicate_of:5")]
