'''Demo source "tutor": Evol-style chats in OpenAI messages format; long answers that explain, show fenced
Python code, and often the expected output or tests.

Written for this project (license: the project's). Defects on purpose are listed in DEFECTS.
'''

F = "```"

RECORDS = [
    ("Given a list of integers, find the length of the longest strictly increasing subsequence.",
     f"""We can solve this with dynamic programming. Let `dp[i]` be the length of the longest increasing subsequence that ends at index `i`. Every element on its own is a subsequence of length 1, and `dp[i]` can extend any earlier `dp[j]` with `nums[j] < nums[i]`.

{F}python
def longest_increasing_subsequence(nums):
    if not nums:
        return 0
    dp = [1] * len(nums)
    for i in range(1, len(nums)):
        for j in range(i):
            if nums[j] < nums[i]:
                dp[i] = max(dp[i], dp[j] + 1)
    return max(dp)


print(longest_increasing_subsequence([10, 9, 2, 5, 3, 7, 101, 18]))
{F}

Output:

{F}
4
{F}

The subsequence `[2, 3, 7, 101]` has length 4. The algorithm runs in O(n²) time and O(n) space; a patience-sorting variant with binary search brings it down to O(n log n)."""),

    ("Write a function that computes the edit (Levenshtein) distance between two strings.",
     f"""The edit distance is the minimum number of insertions, deletions and substitutions that turn one string into the other. A dynamic programming table `dp[i][j]` holds the distance between the first `i` characters of `a` and the first `j` characters of `b`.

{F}python
def edit_distance(a: str, b: str) -> int:
    m, n = len(a), len(b)
    dp = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        dp[i][0] = i
    for j in range(n + 1):
        dp[0][j] = j
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            dp[i][j] = min(dp[i - 1][j] + 1,         # deletion
                           dp[i][j - 1] + 1,         # insertion
                           dp[i - 1][j - 1] + cost)  # substitution
    return dp[m][n]


assert edit_distance("kitten", "sitting") == 3
assert edit_distance("", "abc") == 3
assert edit_distance("flaw", "flaw") == 0
{F}

The first row and column are the cost of building a prefix from nothing. Each cell looks at three neighbours, so the whole table is filled in O(m·n) time."""),

    ("Solve the 0/1 knapsack problem: given weights, values and a capacity, return the maximum total value.",
     f"""In the 0/1 knapsack problem each item is either taken or left. A one-dimensional DP array indexed by capacity is enough if we iterate the capacity **backwards**, so that each item is used at most once.

{F}python
def knapsack(weights, values, capacity):
    \"\"\"Return the best total value that fits in ``capacity``.\"\"\"
    best = [0] * (capacity + 1)
    for w, v in zip(weights, values):
        for c in range(capacity, w - 1, -1):
            best[c] = max(best[c], best[c - w] + v)
    return best[capacity]


print(knapsack([1, 3, 4, 5], [1, 4, 5, 7], 7))  # 9
{F}

With capacity 7 the best choice is the items of weight 3 and 4 (values 4 + 5 = 9). Time complexity is O(n · capacity)."""),

    ("Given coin denominations and an amount, return the fewest number of coins that make up that amount, or -1 if it is impossible.",
     f"""This is the classic coin change problem, solved bottom-up with dynamic programming. `dp[x]` is the minimum number of coins for amount `x`; we start with `dp[0] = 0` and infinity everywhere else.

{F}python
def coin_change(coins, amount):
    INF = float("inf")
    dp = [0] + [INF] * amount
    for x in range(1, amount + 1):
        for coin in coins:
            if coin <= x and dp[x - coin] + 1 < dp[x]:
                dp[x] = dp[x - coin] + 1
    return dp[amount] if dp[amount] != INF else -1


print(coin_change([1, 2, 5], 11))
print(coin_change([2], 3))
{F}

Output:

{F}
3
-1
{F}

11 = 5 + 5 + 1 needs three coins, and 3 cannot be made from 2s alone."""),

    ("Count the number of islands in a 2D grid of '1' (land) and '0' (water).",
     f"""An island is a group of land cells connected horizontally or vertically. We scan the grid, and every time we meet unvisited land we start a breadth-first search that marks the whole island as visited.

{F}python
from collections import deque


def count_islands(grid):
    if not grid:
        return 0
    rows, cols = len(grid), len(grid[0])
    seen = set()
    islands = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "1" and (r, c) not in seen:
                islands += 1
                queue = deque([(r, c)])
                seen.add((r, c))
                while queue:
                    y, x = queue.popleft()
                    for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                        ny, nx = y + dy, x + dx
                        if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "1" and (ny, nx) not in seen:
                            seen.add((ny, nx))
                            queue.append((ny, nx))
    return islands


grid = [
    ["1", "1", "0", "0"],
    ["1", "0", "0", "1"],
    ["0", "0", "1", "1"],
]
print(count_islands(grid))  # 2
{F}

Each cell is visited once, so the running time is O(rows × cols)."""),

    ("Implement Dijkstra's algorithm to find the shortest distance from a source node to every other node in a weighted graph.",
     f"""Dijkstra's algorithm works for graphs with non-negative edge weights. We keep a priority queue of `(distance, node)` pairs and always expand the closest unsettled node. Python's `heapq` module provides the priority queue.

{F}python
import heapq


def dijkstra(graph, source):
    \"\"\"graph maps a node to a list of (neighbour, weight) pairs.\"\"\"
    dist = {{source: 0}}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue  # a stale entry; a shorter path was already found
        for nxt, w in graph.get(node, []):
            nd = d + w
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return dist


graph = {{
    "A": [("B", 4), ("C", 1)],
    "C": [("B", 2), ("D", 7)],
    "B": [("D", 1)],
}}
print(dijkstra(graph, "A"))
{F}

Output:

{F}
{{'A': 0, 'B': 3, 'C': 1, 'D': 4}}
{F}

The path to `D` goes A → C → B → D with total weight 4. With a binary heap the algorithm runs in O((V + E) log V)."""),

    ("Write a function that returns a topological ordering of a directed acyclic graph, or raises an error if the graph has a cycle.",
     f"""Kahn's algorithm repeatedly removes nodes with no incoming edges. If some nodes are never removed, they are part of a cycle.

{F}python
from collections import deque


def topological_sort(graph):
    indegree = {{node: 0 for node in graph}}
    for targets in graph.values():
        for t in targets:
            indegree[t] = indegree.get(t, 0) + 1
    queue = deque(node for node, d in indegree.items() if d == 0)
    order = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for t in graph.get(node, []):
            indegree[t] -= 1
            if indegree[t] == 0:
                queue.append(t)
    if len(order) != len(indegree):
        raise ValueError("graph has a cycle")
    return order


print(topological_sort({{"shirt": ["tie"], "tie": ["jacket"], "pants": ["shoes", "jacket"]}}))
{F}

This prints `['shirt', 'pants', 'tie', 'shoes', 'jacket']`: every item appears before the items that depend on it."""),

    ("How many ways can N queens be placed on an N×N chessboard so that no two attack each other?",
     f"""We place one queen per row with backtracking. Three sets remember which columns and diagonals are already attacked, so each check is O(1).

{F}python
def total_n_queens(n):
    cols, diag1, diag2 = set(), set(), set()

    def place(row):
        if row == n:
            return 1
        count = 0
        for col in range(n):
            if col in cols or row - col in diag1 or row + col in diag2:
                continue
            cols.add(col)
            diag1.add(row - col)
            diag2.add(row + col)
            count += place(row + 1)
            cols.remove(col)
            diag1.remove(row - col)
            diag2.remove(row + col)
        return count

    return place(0)


for n in range(1, 9):
    print(n, total_n_queens(n))
{F}

Output:

{F}
1 1
2 0
3 0
4 2
5 10
6 4
7 40
8 92
{F}

The recursion undoes each placement after exploring it, which is the essence of backtracking."""),

    ("Generate all permutations of a list without using itertools.",
     f"""A recursive solution picks each element as the first one and permutes the rest:

{F}python
def permutations(items):
    if len(items) <= 1:
        return [list(items)]
    result = []
    for i, first in enumerate(items):
        rest = items[:i] + items[i + 1:]
        for perm in permutations(rest):
            result.append([first] + perm)
    return result


print(permutations([1, 2, 3]))
{F}

Output:

{F}
[[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]]
{F}

There are n! permutations, so the running time is O(n · n!) no matter how it is written."""),

    ("Implement merge sort in Python and explain how it works.",
     f"""Merge sort is a divide-and-conquer algorithm:

1. Split the list into two halves.
2. Sort each half recursively.
3. Merge the two sorted halves into one sorted list.

{F}python
def merge_sort(arr):
    if len(arr) <= 1:
        return arr
    mid = len(arr) // 2
    left = merge_sort(arr[:mid])
    right = merge_sort(arr[mid:])
    merged = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            j += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged


print(merge_sort([38, 27, 43, 3, 9, 82, 10]))
# [3, 9, 10, 27, 38, 43, 82]
{F}

Merge sort always takes O(n log n) time and is stable (equal elements keep their order), at the cost of O(n) extra memory."""),

    ("Implement quicksort using the Lomuto partition scheme.",
     f"""Quicksort picks a pivot, moves smaller elements to its left and larger ones to its right, then sorts both sides recursively. This version sorts the list in place.

{F}python
def quicksort(arr, low=0, high=None):
    if high is None:
        high = len(arr) - 1
    if low < high:
        p = partition(arr, low, high)
        quicksort(arr, low, p - 1)
        quicksort(arr, p + 1, high)
    return arr


def partition(arr, low, high):
    pivot = arr[high]
    i = low
    for j in range(low, high):
        if arr[j] < pivot:
            arr[i], arr[j] = arr[j], arr[i]
            i += 1
    arr[i], arr[high] = arr[high], arr[i]
    return i


print(quicksort([5, 2, 9, 1, 5, 6]))
{F}

Output:

{F}
[1, 2, 5, 5, 6, 9]
{F}

The average running time is O(n log n); an already sorted input with this pivot choice degrades to O(n²), which a random pivot avoids."""),

    ("Create a singly linked list class with append and reverse methods.",
     f"""Here is a small linked list. `reverse` walks the list once and flips every `next` pointer, so it runs in O(n) time and O(1) extra space.

{F}python
class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


class LinkedList:
    def __init__(self):
        self.head = None

    def append(self, value):
        node = Node(value)
        if self.head is None:
            self.head = node
            return
        current = self.head
        while current.next:
            current = current.next
        current.next = node

    def reverse(self):
        prev, current = None, self.head
        while current:
            current.next, prev, current = prev, current, current.next
        self.head = prev

    def to_list(self):
        out, current = [], self.head
        while current:
            out.append(current.value)
            current = current.next
        return out


lst = LinkedList()
for v in [1, 2, 3, 4]:
    lst.append(v)
lst.reverse()
print(lst.to_list())  # [4, 3, 2, 1]
{F}"""),

    ("Write a binary search tree class that supports insert, contains and an in-order traversal.",
     f"""A binary search tree keeps smaller keys in the left subtree and larger keys in the right subtree. An in-order traversal therefore visits the keys in sorted order.

{F}python
class BST:
    class _Node:
        def __init__(self, key):
            self.key = key
            self.left = None
            self.right = None

    def __init__(self):
        self.root = None

    def insert(self, key):
        def _insert(node, key):
            if node is None:
                return BST._Node(key)
            if key < node.key:
                node.left = _insert(node.left, key)
            elif key > node.key:
                node.right = _insert(node.right, key)
            return node

        self.root = _insert(self.root, key)

    def contains(self, key):
        node = self.root
        while node:
            if key == node.key:
                return True
            node = node.left if key < node.key else node.right
        return False

    def inorder(self):
        def _walk(node):
            if node:
                yield from _walk(node.left)
                yield node.key
                yield from _walk(node.right)

        return list(_walk(self.root))


tree = BST()
for k in [50, 30, 70, 20, 40, 60, 80]:
    tree.insert(k)
print(tree.inorder())
print(tree.contains(60), tree.contains(65))
{F}

Output:

{F}
[20, 30, 40, 50, 60, 70, 80]
True False
{F}"""),

    ("Implement a trie (prefix tree) with insert, search and starts_with.",
     f"""A trie stores strings character by character; words that share a prefix share the path for that prefix. Each node is a dictionary of children plus a flag that marks the end of a word.

{F}python
class Trie:
    def __init__(self):
        self.children = {{}}
        self.is_word = False

    def insert(self, word: str) -> None:
        node = self
        for ch in word:
            node = node.children.setdefault(ch, Trie())
        node.is_word = True

    def _find(self, prefix: str):
        node = self
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def search(self, word: str) -> bool:
        node = self._find(word)
        return node is not None and node.is_word

    def starts_with(self, prefix: str) -> bool:
        return self._find(prefix) is not None


t = Trie()
t.insert("apple")
assert t.search("apple")
assert not t.search("app")
assert t.starts_with("app")
t.insert("app")
assert t.search("app")
{F}

All three operations take O(L) time for a word of length L, independent of how many words are stored."""),

    ("Find the length of the longest substring without repeating characters.",
     f"""Use a sliding window. The window `[start, i]` never contains a repeated character; when the character at `i` was seen inside the window, move `start` just past its previous position.

{F}python
def length_of_longest_substring(s: str) -> int:
    last_seen = {{}}
    start = best = 0
    for i, ch in enumerate(s):
        if ch in last_seen and last_seen[ch] >= start:
            start = last_seen[ch] + 1
        last_seen[ch] = i
        best = max(best, i - start + 1)
    return best


print(length_of_longest_substring("abcabcbb"))  # 3 ("abc")
print(length_of_longest_substring("pwwkew"))    # 3 ("wke")
{F}

Each character enters and leaves the window at most once, so the time is O(n)."""),

    ("Given heights of vertical lines, find two lines that together with the x-axis hold the most water.",
     f"""The two-pointer technique solves this in linear time. Start with the widest container (both ends) and always move the pointer at the shorter line inward, because the shorter line limits the area and moving the taller one can never help.

{F}python
def max_area(heights):
    left, right = 0, len(heights) - 1
    best = 0
    while left < right:
        width = right - left
        best = max(best, width * min(heights[left], heights[right]))
        if heights[left] < heights[right]:
            left += 1
        else:
            right -= 1
    return best


print(max_area([1, 8, 6, 2, 5, 4, 8, 3, 7]))
{F}

Output:

{F}
49
{F}

The lines at index 1 (height 8) and index 8 (height 7) are 7 apart: 7 × 7 = 49."""),

    ("Find all unique triplets in a list that sum to zero.",
     f"""Sort the list, fix the first element, and find the other two with two pointers. Skipping equal neighbours avoids duplicate triplets.

{F}python
def three_sum(nums):
    nums = sorted(nums)
    result = []
    for i in range(len(nums) - 2):
        if i > 0 and nums[i] == nums[i - 1]:
            continue
        lo, hi = i + 1, len(nums) - 1
        while lo < hi:
            total = nums[i] + nums[lo] + nums[hi]
            if total < 0:
                lo += 1
            elif total > 0:
                hi -= 1
            else:
                result.append([nums[i], nums[lo], nums[hi]])
                while lo < hi and nums[lo] == nums[lo + 1]:
                    lo += 1
                while lo < hi and nums[hi] == nums[hi - 1]:
                    hi -= 1
                lo += 1
                hi -= 1
    return result


assert three_sum([-1, 0, 1, 2, -1, -4]) == [[-1, -1, 2], [-1, 0, 1]]
assert three_sum([0, 0, 0, 0]) == [[0, 0, 0]]
{F}

Sorting costs O(n log n) and the two-pointer scan O(n²) overall."""),

    ("Parse web server log lines of the form `127.0.0.1 - - [10/Oct/2023:13:55:36] \"GET /index.html HTTP/1.1\" 200 2326` and count requests per status code.",
     f"""A regular expression with named groups pulls out the fields we need. Lines that do not match are skipped instead of crashing the parser.

{F}python
import re
from collections import Counter

LOG_LINE = re.compile(
    r'(?P<ip>\\S+) \\S+ \\S+ \\[(?P<time>[^\\]]+)\\] "(?P<method>\\w+) (?P<path>\\S+) [^"]*" (?P<status>\\d{{3}}) (?P<size>\\d+|-)'
)


def status_counts(lines):
    counts = Counter()
    for line in lines:
        m = LOG_LINE.match(line)
        if m:
            counts[m.group("status")] += 1
    return counts


logs = [
    '127.0.0.1 - - [10/Oct/2023:13:55:36] "GET /index.html HTTP/1.1" 200 2326',
    '10.0.0.2 - - [10/Oct/2023:13:55:40] "POST /login HTTP/1.1" 302 -',
    '10.0.0.3 - - [10/Oct/2023:13:56:01] "GET /missing HTTP/1.1" 404 512',
    '127.0.0.1 - - [10/Oct/2023:13:56:09] "GET /about.html HTTP/1.1" 200 1024',
    'garbage line',
]
print(status_counts(logs))
{F}

Output:

{F}
Counter({{'200': 2, '302': 1, '404': 1}})
{F}"""),

    ("Write a generator that yields Fibonacci numbers forever, and show how to take the first ten.",
     f"""A generator keeps its state between `yield`s, so an infinite sequence costs constant memory. `itertools.islice` takes a finite prefix of it.

{F}python
from itertools import islice


def fibonacci():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


print(list(islice(fibonacci(), 10)))
{F}

Output:

{F}
[0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
{F}

Because the generator is lazy, nothing is computed until a value is requested."""),

    ("Write a context manager that measures how long a block of code takes to run.",
     f"""A class with `__enter__` and `__exit__` works as a context manager. `time.perf_counter` is the right clock for measuring durations.

{F}python
import time


class Timer:
    \"\"\"Measure the wall-clock time of a ``with`` block.\"\"\"

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.elapsed = time.perf_counter() - self.start
        return False  # do not swallow exceptions


with Timer() as t:
    total = sum(i * i for i in range(100_000))

print(f"sum={{total}} took {{t.elapsed:.4f}}s")
{F}

Returning `False` from `__exit__` lets any exception raised inside the block propagate normally."""),

    ("Use a dataclass to represent employees and sort them by department and then by salary, highest first.",
     f"""`dataclasses` generate the constructor and `repr` for us; a sort key that returns a tuple sorts by several fields at once. Negating the salary sorts it in descending order.

{F}python
from dataclasses import dataclass


@dataclass
class Employee:
    name: str
    department: str
    salary: int


staff = [
    Employee("Ada", "Engineering", 120_000),
    Employee("Linus", "Engineering", 135_000),
    Employee("Grace", "Research", 128_000),
    Employee("Alan", "Research", 99_000),
]

for e in sorted(staff, key=lambda e: (e.department, -e.salary)):
    print(e.department, e.name, e.salary)
{F}

Output:

{F}
Engineering Linus 135000
Engineering Ada 120000
Research Grace 128000
Research Alan 99000
{F}"""),

    ("Write a memoization decorator and use it to speed up a recursive function.",
     f"""A decorator wraps a function; here the wrapper keeps a dictionary from arguments to results. `functools.wraps` keeps the original name and docstring.

{F}python
import functools


def memoize(func):
    cache = {{}}

    @functools.wraps(func)
    def wrapper(*args):
        if args not in cache:
            cache[args] = func(*args)
        return cache[args]

    return wrapper


@memoize
def grid_paths(rows, cols):
    \"\"\"Number of monotone paths through a rows x cols grid.\"\"\"
    if rows == 1 or cols == 1:
        return 1
    return grid_paths(rows - 1, cols) + grid_paths(rows, cols - 1)


print(grid_paths(18, 18))
{F}

Output:

{F}
2333606220
{F}

Without memoization this recursion makes billions of calls; with it, each `(rows, cols)` pair is computed once. In real code, `functools.lru_cache` does the same job."""),

    ("Implement a union-find (disjoint set) data structure and use it to count connected components.",
     f"""Union-find keeps a parent pointer per element. *Path compression* and *union by size* make both operations almost constant time.

{F}python
class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))
        self.size = [1] * n
        self.components = n

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]  # path halving
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.components -= 1
        return True


uf = UnionFind(6)
for a, b in [(0, 1), (1, 2), (3, 4)]:
    uf.union(a, b)
print(uf.components)  # 3: {{0, 1, 2}}, {{3, 4}}, {{5}}
{F}"""),

    ("Return the elements of a matrix in spiral order.",
     f"""Walk the outer ring (top row, right column, bottom row, left column) and shrink the boundaries after each side.

{F}python
def spiral_order(matrix):
    result = []
    if not matrix:
        return result
    top, bottom = 0, len(matrix) - 1
    left, right = 0, len(matrix[0]) - 1
    while top <= bottom and left <= right:
        for c in range(left, right + 1):
            result.append(matrix[top][c])
        top += 1
        for r in range(top, bottom + 1):
            result.append(matrix[r][right])
        right -= 1
        if top <= bottom:
            for c in range(right, left - 1, -1):
                result.append(matrix[bottom][c])
            bottom -= 1
        if left <= right:
            for r in range(bottom, top - 1, -1):
                result.append(matrix[r][left])
            left += 1
    return result


print(spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))
{F}

Output:

{F}
[1, 2, 3, 6, 9, 8, 7, 4, 5]
{F}"""),

    ("Convert a Roman numeral to an integer.",
     f"""Read the numeral from left to right. A symbol smaller than the one after it is subtracted (as in IV = 4), otherwise it is added.

{F}python
VALUES = {{"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}}


def roman_to_int(s: str) -> int:
    total = 0
    for i, ch in enumerate(s):
        value = VALUES[ch]
        if i + 1 < len(s) and value < VALUES[s[i + 1]]:
            total -= value
        else:
            total += value
    return total


import unittest


class RomanTest(unittest.TestCase):
    def test_examples(self):
        self.assertEqual(roman_to_int("III"), 3)
        self.assertEqual(roman_to_int("LVIII"), 58)
        self.assertEqual(roman_to_int("MCMXCIV"), 1994)


if __name__ == "__main__":
    unittest.main()
{F}"""),

    ("Check whether a partially filled 9x9 Sudoku board is valid.",
     f"""A board is valid when no digit repeats in a row, a column or a 3×3 box. One pass with three collections of sets checks all three rules; empty cells are `"."`.

{F}python
def is_valid_sudoku(board):
    rows = [set() for _ in range(9)]
    cols = [set() for _ in range(9)]
    boxes = [set() for _ in range(9)]
    for r in range(9):
        for c in range(9):
            v = board[r][c]
            if v == ".":
                continue
            b = (r // 3) * 3 + c // 3
            if v in rows[r] or v in cols[c] or v in boxes[b]:
                return False
            rows[r].add(v)
            cols[c].add(v)
            boxes[b].add(v)
    return True
{F}

The box index `(r // 3) * 3 + c // 3` numbers the nine boxes from 0 to 8, left to right and top to bottom. The check is O(81), i.e. constant for a fixed board size."""),

    ("Read a text file and print the five most common words with their counts.",
     f"""`collections.Counter` does the counting and `most_common` the ranking. Lower-casing and a regular expression for words make `The` and `the.` count as the same word.

{F}python
import re
import sys
from collections import Counter


def top_words(path, n=5):
    with open(path, encoding="utf-8") as f:
        words = re.findall(r"[a-z']+", f.read().lower())
    return Counter(words).most_common(n)


if __name__ == "__main__":
    for word, count in top_words(sys.argv[1]):
        print(f"{{word:<15}}{{count}}")
{F}

Run it as `python top_words.py book.txt`. Reading the whole file at once is fine for books; for very large files, iterate over the lines and update the counter line by line."""),

    ("Given a JSON string of orders, compute the total revenue per customer.",
     f"""Parse the JSON with the standard library and accumulate the totals in a `defaultdict`.

{F}python
import json
from collections import defaultdict

orders_json = '''
[
  {{"customer": "alice", "items": [{{"price": 2.5, "qty": 4}}, {{"price": 10.0, "qty": 1}}]}},
  {{"customer": "bob", "items": [{{"price": 3.0, "qty": 2}}]}},
  {{"customer": "alice", "items": [{{"price": 1.0, "qty": 5}}]}}
]
'''


def revenue_per_customer(text):
    totals = defaultdict(float)
    for order in json.loads(text):
        totals[order["customer"]] += sum(i["price"] * i["qty"] for i in order["items"])
    return dict(totals)


print(revenue_per_customer(orders_json))
{F}

Output:

{F}
{{'alice': 25.0, 'bob': 6.0}}
{F}"""),

    ("Merge all overlapping intervals in a list of [start, end] pairs.",
     f"""After sorting the intervals by their start, overlapping intervals are adjacent, so one pass is enough: extend the last merged interval or start a new one.

{F}python
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


assert merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]]) == [[1, 6], [8, 10], [15, 18]]
assert merge_intervals([[1, 4], [4, 5]]) == [[1, 5]]
assert merge_intervals([]) == []
{F}

Sorting dominates: O(n log n) time."""),

    ("Find the k-th largest element of an unsorted list efficiently.",
     f"""Keep a min-heap of size k. After processing every element, the smallest element in the heap is the k-th largest overall. This takes O(n log k) time, which beats sorting when k is small.

{F}python
import heapq


def kth_largest(nums, k):
    heap = []
    for x in nums:
        heapq.heappush(heap, x)
        if len(heap) > k:
            heapq.heappop(heap)
    return heap[0]


print(kth_largest([3, 2, 1, 5, 6, 4], 2))        # 5
print(kth_largest([3, 2, 3, 1, 2, 4, 5, 5, 6], 4))  # 4
{F}"""),

    ("Return the level-order traversal of a binary tree as a list of levels.",
     f"""Breadth-first search with a queue visits the tree level by level. Processing exactly `len(queue)` nodes per round separates the levels.

{F}python
from collections import deque


class TreeNode:
    def __init__(self, val, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def level_order(root):
    if root is None:
        return []
    levels, queue = [], deque([root])
    while queue:
        level = []
        for _ in range(len(queue)):
            node = queue.popleft()
            level.append(node.val)
            if node.left:
                queue.append(node.left)
            if node.right:
                queue.append(node.right)
        levels.append(level)
    return levels


root = TreeNode(3, TreeNode(9), TreeNode(20, TreeNode(15), TreeNode(7)))
print(level_order(root))
{F}

Output:

{F}
[[3], [9, 20], [15, 7]]
{F}"""),

    ("Find the shortest paths from a source vertex in a graph whose edges may have negative weights, and detect negative cycles.",
     f"""Dijkstra's algorithm fails with negative weights; the Bellman-Ford algorithm handles them. It is a dynamic programming algorithm: after round `i`, `dist[v]` is the shortest distance using at most `i` edges. After `V - 1` rounds all shortest paths are found; if a further round still improves a distance, there is a negative cycle.

{F}python
def bellman_ford(num_vertices, edges, source):
    \"\"\"edges is a list of (u, v, weight). Returns the distance list.\"\"\"
    INF = float("inf")
    dist = [INF] * num_vertices
    dist[source] = 0
    for _ in range(num_vertices - 1):
        changed = False
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            break
    for u, v, w in edges:
        if dist[u] + w < dist[v]:
            raise ValueError("graph contains a negative-weight cycle")
    return dist


edges = [(0, 1, 4), (0, 2, 5), (1, 2, -3), (2, 3, 4), (3, 1, 2)]
print(bellman_ford(4, edges, 0))
{F}

Output:

{F}
[0, 4, 1, 5]
{F}

The running time is O(V · E)."""),

    ("Implement run-length encoding and decoding for strings.",
     f"""Run-length encoding replaces runs of the same character with the character and the run length, e.g. `"aaabcc"` becomes `"a3b1c2"`. `itertools.groupby` finds the runs; a regular expression reads them back.

{F}python
import re
from itertools import groupby


def rle_encode(text: str) -> str:
    return "".join(f"{{ch}}{{len(list(group))}}" for ch, group in groupby(text))


def rle_decode(code: str) -> str:
    return "".join(ch * int(n) for ch, n in re.findall(r"(\\D)(\\d+)", code))


def test_round_trip():
    for text in ["", "a", "aaabcc", "wwwwwwwwwwwwbbb"]:
        assert rle_decode(rle_encode(text)) == text


def test_encode():
    assert rle_encode("aaabcc") == "a3b1c2"


test_round_trip()
test_encode()
print("all tests passed")
{F}

This simple format assumes the text contains no digits; a real format would escape them."""),

    # defect: leaks HumanEval/0 (has_close_elements), reworded, with its solution
    ("Write a Python function has_close_elements(numbers: List[float], threshold: float) -> bool that checks if any two numbers in the given list are closer to each other than the given threshold.",
     f"""We can compare every pair of numbers and return `True` as soon as two of them are closer than the threshold.

{F}python
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2:
                distance = abs(elem - elem2)
                if distance < threshold:
                    return True

    return False


print(has_close_elements([1.0, 2.0, 3.0], 0.5))
print(has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3))
{F}

Output:

{F}
False
True
{F}

Sorting the list first would make it O(n log n), because close numbers then sit next to each other."""),

    # defect: code that does not parse (inconsistent indentation)
    ("Write a function that returns the running sum of a list of numbers.",
     f"""The running sum at position i is the sum of all elements up to and including i. We keep a total and append it after each element.

{F}python
def running_sum(nums):
    total = 0
    result = []
    for x in nums:
        total += x
      result.append(total)
    return result
{F}

For `[1, 2, 3, 4]` this gives `[1, 3, 6, 10]`."""),

    # defect: near duplicate of record 15 (longest substring without repeating characters)
    ("What is the length of the longest substring of a string that has no repeating characters?",
     f"""Use a sliding window. The window `[start, i]` never contains a repeated character; when the character at `i` was already seen inside the window, move `start` just past its previous position.

{F}python
def longest_unique_substring(s: str) -> int:
    last_seen = {{}}
    start = best = 0
    for i, ch in enumerate(s):
        if ch in last_seen and last_seen[ch] >= start:
            start = last_seen[ch] + 1
        last_seen[ch] = i
        best = max(best, i - start + 1)
    return best


print(longest_unique_substring("abcabcbb"))  # 3 ("abc")
print(longest_unique_substring("bbbbb"))     # 1 ("b")
{F}

Each character enters and leaves the window at most once, so the algorithm is O(n)."""),

    ("Generate the first n rows of Pascal's triangle.",
     f"""Each row starts and ends with 1, and every inner element is the sum of the two elements above it.

{F}python
def pascal_triangle(n):
    rows = []
    for i in range(n):
        row = [1] * (i + 1)
        for j in range(1, i):
            row[j] = rows[i - 1][j - 1] + rows[i - 1][j]
        rows.append(row)
    return rows


for row in pascal_triangle(5):
    print(row)
{F}

Output:

{F}
[1]
[1, 1]
[1, 2, 1]
[1, 3, 3, 1]
[1, 4, 6, 4, 1]
{F}"""),

    ("Count the unique paths from the top-left to the bottom-right corner of a grid with obstacles, moving only right or down.",
     f"""Dynamic programming over the grid: the number of ways to reach a cell is the sum of the ways to reach the cell above and the cell to the left, and zero for an obstacle. One row of memory is enough.

{F}python
def unique_paths_with_obstacles(grid):
    cols = len(grid[0])
    ways = [0] * cols
    ways[0] = 1
    for row in grid:
        for c in range(cols):
            if row[c] == 1:
                ways[c] = 0
            elif c > 0:
                ways[c] += ways[c - 1]
    return ways[-1]


grid = [
    [0, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
]
assert unique_paths_with_obstacles(grid) == 2
assert unique_paths_with_obstacles([[0, 1], [0, 0]]) == 1
print(unique_paths_with_obstacles(grid))
{F}

The time is O(rows × cols) and the extra space O(cols)."""),

    ("Group a list of words into anagram groups.",
     f"""Two words are anagrams when their sorted letters are equal, so the sorted letters make a good dictionary key.

{F}python
from collections import defaultdict


def group_anagrams(words):
    groups = defaultdict(list)
    for w in words:
        groups["".join(sorted(w))].append(w)
    return list(groups.values())


print(group_anagrams(["eat", "tea", "tan", "ate", "nat", "bat"]))
{F}

Output:

{F}
[['eat', 'tea', 'ate'], ['tan', 'nat'], ['bat']]
{F}

Dictionaries keep insertion order, so the groups appear in the order their first word was seen."""),

    ("Convert a binary string to its decimal value without using int(s, 2).",
     f"""Process the bits from left to right: shifting the value left by one (multiplying by 2) and adding the next bit builds the number, just like reading decimal digits.

{F}python
def binary_to_decimal(bits: str) -> int:
    value = 0
    for b in bits:
        if b not in "01":
            raise ValueError(f"not a binary digit: {{b!r}}")
        value = value * 2 + (b == "1")
    return value


assert binary_to_decimal("0") == 0
assert binary_to_decimal("101") == 5
assert binary_to_decimal("11111111") == 255
print(binary_to_decimal("100000"))  # 32
{F}

Raising `ValueError` for other characters mirrors what `int()` does with invalid input."""),
]

# (record index, defect kind)
DEFECTS = [(33, "humaneval_leak:HumanEval/0"), (34, "unparseable"), (35, "near_duplicate_of:14")]
