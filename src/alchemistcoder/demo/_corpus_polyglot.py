'''Demo source "polyglot": ShareGPT-format chats in JavaScript, Go and C++; a sentence or two, one complete
runnable program in a fenced block, sometimes its output. One chat has a follow-up turn.

Written for this project (license: the project's). Defects on purpose are listed in DEFECTS.
'''

F = "```"


def js(intro: str, code: str, after: str = "") -> str:
    return f"{intro}\n\n{F}javascript\n{code.strip()}\n{F}" + (f"\n\n{after}" if after else "")


def go(intro: str, code: str, after: str = "") -> str:
    return f"{intro}\n\n{F}go\n{code.strip()}\n{F}" + (f"\n\n{after}" if after else "")


def cpp(intro: str, code: str, after: str = "") -> str:
    return f"{intro}\n\n{F}cpp\n{code.strip()}\n{F}" + (f"\n\n{after}" if after else "")


# Each record: list of (from, value) turns.
RECORDS = [
    [("human", "Write a JavaScript function that debounces another function."),
     ("gpt", js("A debounced function waits until it has not been called for `wait` milliseconds before running.", """
function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}

const log = debounce((msg) => console.log(msg), 50);
log("first");
log("second");
log("third"); // only "third" is printed
"""))],
    [("human", "How do I remove duplicate values from an array in JavaScript?"),
     ("gpt", js("A `Set` keeps only unique values, and spreading it back gives an array in first-seen order.", """
const numbers = [3, 1, 3, 2, 1, 5];
const unique = [...new Set(numbers)];
console.log(unique);
""", "Output: `[ 3, 1, 2, 5 ]`"))],
    [("human", "Write a JavaScript function that deep clones a plain object with nested arrays and objects."),
     ("gpt", js("Recursion handles any nesting depth. For arrays we map over the elements; for objects we copy every own key.", """
function deepClone(value) {
  if (Array.isArray(value)) {
    return value.map(deepClone);
  }
  if (value !== null && typeof value === "object") {
    const copy = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = deepClone(inner);
    }
    return copy;
  }
  return value;
}

const original = { a: 1, b: { c: [1, 2, { d: 3 }] } };
const clone = deepClone(original);
clone.b.c[2].d = 99;
console.log(original.b.c[2].d); // 3
""", "Modern runtimes also provide `structuredClone`, which handles more types."))],
    [("human", "Count the occurrences of each word in a string using JavaScript."),
     ("gpt", js("Split on whitespace and reduce into an object of counts.", """
function wordCounts(text) {
  return text
    .toLowerCase()
    .split(/\\s+/)
    .filter(Boolean)
    .reduce((counts, word) => {
      counts[word] = (counts[word] || 0) + 1;
      return counts;
    }, {});
}

console.log(wordCounts("the cat and the hat"));
""", "Output: `{ the: 2, cat: 1, and: 1, hat: 1 }`"))],
    [("human", "Implement binary search in JavaScript."),
     ("gpt", js("The search range halves at every step, so it takes O(log n) comparisons.", """
function binarySearch(arr, target) {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] === target) return mid;
    if (arr[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

console.log(binarySearch([1, 3, 5, 7, 9, 11], 7)); // 3
console.log(binarySearch([1, 3, 5, 7, 9, 11], 4)); // -1
"""))],
    [("human", "Fetch JSON from a URL with async/await in JavaScript and handle errors."),
     ("gpt", js("`fetch` only rejects on network errors, so check `response.ok` for HTTP errors yourself.", """
async function getJson(url) {
  try {
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return await response.json();
  } catch (err) {
    console.error(`request to ${url} failed: ${err.message}`);
    return null;
  }
}

module.exports = { getJson };
"""))],
    [("human", "Write a JavaScript class for a simple event emitter with on, off and emit."),
     ("gpt", js("A map from event names to sets of listeners is all that is needed.", """
class EventEmitter {
  constructor() {
    this.listeners = new Map();
  }

  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(listener);
    return this;
  }

  off(event, listener) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  emit(event, ...args) {
    for (const listener of this.listeners.get(event) ?? []) {
      listener(...args);
    }
  }
}

const bus = new EventEmitter();
const greet = (name) => console.log(`hello ${name}`);
bus.on("greet", greet);
bus.emit("greet", "Ada");
bus.off("greet", greet);
bus.emit("greet", "Bob"); // nothing printed
"""))],
    [("human", "Write a recursive JavaScript function to compute the nth Fibonacci number with memoization."),
     ("gpt", js("A `Map` caches results so each value is computed once, turning exponential recursion into linear time.", """
function fib(n, memo = new Map()) {
  if (n < 2) return n;
  if (memo.has(n)) return memo.get(n);
  const value = fib(n - 1, memo) + fib(n - 2, memo);
  memo.set(n, value);
  return value;
}

console.log(fib(50)); // 12586269025
"""))],
    [("human", "Validate a US ZIP code (5 digits, optionally followed by a dash and 4 digits) with a regular expression in JavaScript."),
     ("gpt", js("Anchor the pattern at both ends so extra characters are rejected.", """
const ZIP = /^\\d{5}(-\\d{4})?$/;

for (const candidate of ["12345", "12345-6789", "1234", "12345-67"]) {
  console.log(candidate, ZIP.test(candidate));
}
""", "Output:\n\n```\n12345 true\n12345-6789 true\n1234 false\n12345-67 false\n```"))],
    [("human", "Group an array of objects by a property in JavaScript."),
     ("gpt", js("`reduce` builds an object whose keys are the property values.", """
function groupBy(items, key) {
  return items.reduce((groups, item) => {
    (groups[item[key]] ||= []).push(item);
    return groups;
  }, {});
}

const pets = [
  { name: "Rex", kind: "dog" },
  { name: "Tom", kind: "cat" },
  { name: "Fido", kind: "dog" },
];
console.log(groupBy(pets, "kind"));
""")),
     ("human", "Can I get only the names in each group?"),
     ("gpt", js("Yes, map over each group's entries afterwards:", """
const byKind = { dog: [{ name: "Rex" }, { name: "Fido" }], cat: [{ name: "Tom" }] };
const names = Object.fromEntries(
  Object.entries(byKind).map(([kind, group]) => [kind, group.map((p) => p.name)])
);
console.log(names); // { dog: [ 'Rex', 'Fido' ], cat: [ 'Tom' ] }
"""))],
    [("human", "Flatten a deeply nested array in JavaScript without using Array.prototype.flat."),
     ("gpt", js("A recursive reducer concatenates nested arrays at any depth.", """
const flatten = (arr) =>
  arr.reduce((acc, x) => (Array.isArray(x) ? acc.concat(flatten(x)) : acc.concat([x])), []);

console.log(flatten([1, [2, [3, [4]], 5]])); // [ 1, 2, 3, 4, 5 ]
"""))],
    [("human", "Check whether a string is a palindrome in JavaScript, ignoring case and non-alphanumeric characters."),
     ("gpt", js("Normalize the string first, then compare it with its reverse.", """
function isPalindrome(s) {
  const clean = s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return clean === [...clean].reverse().join("");
}

console.log(isPalindrome("A man, a plan, a canal: Panama")); // true
console.log(isPalindrome("race a car")); // false
"""))],
    # --- Go
    [("human", "Write a Go program that reverses a string, handling Unicode correctly."),
     ("gpt", go("Converting to a slice of runes keeps multi-byte characters intact.", """
package main

import "fmt"

func reverse(s string) string {
	runes := []rune(s)
	for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
		runes[i], runes[j] = runes[j], runes[i]
	}
	return string(runes)
}

func main() {
	fmt.Println(reverse("Hello, 世界"))
}
""", "Output: `界世 ,olleH`"))],
    [("human", "Write a Go function that returns the word frequencies of a text, and print them sorted by count."),
     ("gpt", go("Count with a map, then sort the keys with `sort.Slice`, breaking ties alphabetically so the output is deterministic.", """
package main

import (
	"fmt"
	"sort"
	"strings"
)

func wordFreq(text string) map[string]int {
	counts := make(map[string]int)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		counts[w]++
	}
	return counts
}

func main() {
	counts := wordFreq("the quick fox and the lazy dog and the cat")
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	for _, w := range words {
		fmt.Println(w, counts[w])
	}
}
"""))],
    [("human", "Show how to use goroutines and a WaitGroup in Go to compute squares concurrently."),
     ("gpt", go("Each goroutine writes to its own slot of the result slice, so no mutex is needed; the WaitGroup waits for all of them.", """
package main

import (
	"fmt"
	"sync"
)

func main() {
	nums := []int{1, 2, 3, 4, 5}
	squares := make([]int, len(nums))
	var wg sync.WaitGroup
	for i, n := range nums {
		wg.Add(1)
		go func(i, n int) {
			defer wg.Done()
			squares[i] = n * n
		}(i, n)
	}
	wg.Wait()
	fmt.Println(squares)
}
""", "Output: `[1 4 9 16 25]`"))],
    [("human", "Implement a stack in Go using a slice and generics."),
     ("gpt", go("Go 1.18 generics let one stack type hold any element type.", """
package main

import "fmt"

type Stack[T any] struct {
	items []T
}

func (s *Stack[T]) Push(v T) {
	s.items = append(s.items, v)
}

func (s *Stack[T]) Pop() (T, bool) {
	var zero T
	if len(s.items) == 0 {
		return zero, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

func main() {
	var s Stack[string]
	s.Push("a")
	s.Push("b")
	v, _ := s.Pop()
	fmt.Println(v)
	v, _ = s.Pop()
	fmt.Println(v)
	_, ok := s.Pop()
	fmt.Println(ok)
}
""", "Output:\n\n```\nb\na\nfalse\n```"))],
    [("human", "Write a Go program that finds the shortest path length in a grid maze using BFS."),
     ("gpt", go("Breadth-first search explores cells in order of distance, so the first time it reaches the goal is the shortest path. `#` cells are walls.", """
package main

import "fmt"

type point struct{ r, c int }

func shortestPath(grid []string, start, goal point) int {
	dist := map[point]int{start: 0}
	queue := []point{start}
	dirs := []point{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == goal {
			return dist[p]
		}
		for _, d := range dirs {
			n := point{p.r + d.r, p.c + d.c}
			if n.r < 0 || n.r >= len(grid) || n.c < 0 || n.c >= len(grid[0]) || grid[n.r][n.c] == '#' {
				continue
			}
			if _, seen := dist[n]; !seen {
				dist[n] = dist[p] + 1
				queue = append(queue, n)
			}
		}
	}
	return -1
}

func main() {
	maze := []string{
		"..#.",
		"..#.",
		"....",
	}
	fmt.Println(shortestPath(maze, point{0, 0}, point{0, 3}))
}
""", "Output: `7`"))],
    [("human", "How do I read a file line by line in Go?"),
     ("gpt", go("`bufio.Scanner` reads one line per call to `Scan`; always check `scanner.Err()` afterwards.", """
package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

func main() {
	f, err := os.Open("input.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	scanner := bufio.NewScanner(f)
	lineNo := 0
	for scanner.Scan() {
		lineNo++
		fmt.Printf("%d: %s\\n", lineNo, scanner.Text())
	}
	if err := scanner.Err(); err != nil {
		log.Fatal(err)
	}
}
"""))],
    [("human", "Write a table-driven test in Go for a function that checks if a number is prime."),
     ("gpt", go("Table-driven tests list the cases as data and loop over them; `t.Run` gives each case its own name in the output.", """
package prime

import "testing"

func IsPrime(n int) bool {
	if n < 2 {
		return false
	}
	for i := 2; i*i <= n; i++ {
		if n%i == 0 {
			return false
		}
	}
	return true
}

func TestIsPrime(t *testing.T) {
	cases := []struct {
		n    int
		want bool
	}{
		{0, false}, {1, false}, {2, true}, {9, false}, {13, true}, {97, true},
	}
	for _, tc := range cases {
		if got := IsPrime(tc.n); got != tc.want {
			t.Errorf("IsPrime(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
""", "Save it as `prime_test.go` and run `go test`."))],
    [("human", "Merge two sorted integer slices in Go."),
     ("gpt", go("Two indexes walk both slices; whatever remains at the end is appended as is.", """
package main

import "fmt"

func merge(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func main() {
	fmt.Println(merge([]int{1, 4, 9}, []int{2, 3, 10, 11}))
}
""", "Output: `[1 2 3 4 9 10 11]`"))],
    [("human", "Use a struct and a method in Go to compute the area and perimeter of a rectangle."),
     ("gpt", go("Methods with a value receiver are fine here because they do not modify the rectangle.", """
package main

import "fmt"

type Rectangle struct {
	Width, Height float64
}

func (r Rectangle) Area() float64 {
	return r.Width * r.Height
}

func (r Rectangle) Perimeter() float64 {
	return 2 * (r.Width + r.Height)
}

func main() {
	r := Rectangle{Width: 3, Height: 4.5}
	fmt.Printf("area=%.1f perimeter=%.1f\\n", r.Area(), r.Perimeter())
}
""", "Output: `area=13.5 perimeter=15.0`"))],
    [("human", "Write a Go function that computes the nth Fibonacci number iteratively."),
     ("gpt", go("Two variables are enough; no recursion or slice is required.", """
package main

import "fmt"

func fib(n int) int {
	a, b := 0, 1
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	return a
}

func main() {
	for i := 0; i <= 10; i++ {
		fmt.Print(fib(i), " ")
	}
	fmt.Println()
}
""", "Output: `0 1 1 2 3 5 8 13 21 34 55`"))],
    # --- C++
    [("human", "Write a C++ program that sorts a vector of strings by length, then alphabetically."),
     ("gpt", cpp("`std::sort` with a lambda comparator; comparing `std::pair`s handles the tie-break.", """
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

int main() {
    std::vector<std::string> words = {"pear", "fig", "banana", "kiwi", "apple"};
    std::sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) {
        return std::make_pair(a.size(), a) < std::make_pair(b.size(), b);
    });
    for (const auto& w : words) {
        std::cout << w << "\\n";
    }
    return 0;
}
""", "Output:\n\n```\nfig\nkiwi\npear\napple\nbanana\n```"))],
    [("human", "Implement a function in C++ that checks whether a string has balanced parentheses, brackets and braces."),
     ("gpt", cpp("A stack holds the open brackets; each closing bracket must match the top of the stack.", """
#include <iostream>
#include <stack>
#include <string>

bool balanced(const std::string& s) {
    std::stack<char> st;
    for (char c : s) {
        if (c == '(' || c == '[' || c == '{') {
            st.push(c);
        } else if (c == ')' || c == ']' || c == '}') {
            if (st.empty()) return false;
            char open = st.top();
            st.pop();
            if ((c == ')' && open != '(') || (c == ']' && open != '[') || (c == '}' && open != '{')) {
                return false;
            }
        }
    }
    return st.empty();
}

int main() {
    std::cout << std::boolalpha << balanced("{[()()]}") << " " << balanced("([)]") << std::endl;
    return 0;
}
""", "Output: `true false`"))],
    [("human", "Write a C++ class template for a fixed-size ring buffer."),
     ("gpt", cpp("The buffer overwrites the oldest element when it is full. `head` is the next write position and `count` the number of stored elements.", """
#include <array>
#include <cstddef>
#include <iostream>

template <typename T, std::size_t N>
class RingBuffer {
public:
    void push(const T& value) {
        data_[head_] = value;
        head_ = (head_ + 1) % N;
        if (count_ < N) ++count_;
    }

    // i = 0 is the oldest element
    const T& at(std::size_t i) const {
        return data_[(head_ + N - count_ + i) % N];
    }

    std::size_t size() const { return count_; }

private:
    std::array<T, N> data_{};
    std::size_t head_ = 0;
    std::size_t count_ = 0;
};

int main() {
    RingBuffer<int, 3> rb;
    for (int i = 1; i <= 5; ++i) rb.push(i);
    for (std::size_t i = 0; i < rb.size(); ++i) std::cout << rb.at(i) << ' ';
    std::cout << '\\n';
    return 0;
}
""", "Output: `3 4 5`"))],
    [("human", "Compute the longest common subsequence of two strings in C++ using dynamic programming."),
     ("gpt", cpp("`dp[i][j]` is the LCS length of the first `i` characters of `a` and the first `j` characters of `b`.", """
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

int lcs(const std::string& a, const std::string& b) {
    std::vector<std::vector<int>> dp(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            if (a[i - 1] == b[j - 1]) {
                dp[i][j] = dp[i - 1][j - 1] + 1;
            } else {
                dp[i][j] = std::max(dp[i - 1][j], dp[i][j - 1]);
            }
        }
    }
    return dp[a.size()][b.size()];
}

int main() {
    std::cout << lcs("ABCBDAB", "BDCABA") << std::endl;  // 4
    return 0;
}
"""))],
    [("human", "Write a C++ program that counts word frequencies from standard input using std::map."),
     ("gpt", cpp("`std::map` keeps the words sorted, so the output is alphabetical.", """
#include <iostream>
#include <map>
#include <string>

int main() {
    std::map<std::string, int> counts;
    std::string word;
    while (std::cin >> word) {
        ++counts[word];
    }
    for (const auto& [w, n] : counts) {
        std::cout << w << ": " << n << '\\n';
    }
    return 0;
}
""", "Run it as `echo \"b a b\" | ./wordcount` to get `a: 1` and `b: 2`."))],
    [("human", "Implement a recursive function in C++ that computes x to the power n in O(log n) time."),
     ("gpt", cpp("Exponentiation by squaring: x^n = (x^(n/2))^2, times x when n is odd.", """
#include <iostream>

long long power(long long x, unsigned int n) {
    if (n == 0) return 1;
    long long half = power(x, n / 2);
    long long result = half * half;
    if (n % 2 == 1) result *= x;
    return result;
}

int main() {
    std::cout << power(2, 10) << " " << power(3, 13) << std::endl;
    return 0;
}
""", "Output: `1024 1594323`"))],
    [("human", "Use std::unordered_map in C++ to find two numbers in a vector that add up to a target."),
     ("gpt", cpp("One pass: for each number, look up its complement among the numbers seen so far.", """
#include <iostream>
#include <unordered_map>
#include <utility>
#include <vector>

std::pair<int, int> twoSum(const std::vector<int>& nums, int target) {
    std::unordered_map<int, int> seen;
    for (int i = 0; i < static_cast<int>(nums.size()); ++i) {
        auto it = seen.find(target - nums[i]);
        if (it != seen.end()) return {it->second, i};
        seen[nums[i]] = i;
    }
    return {-1, -1};
}

int main() {
    auto [i, j] = twoSum({2, 7, 11, 15}, 9);
    std::cout << i << " " << j << std::endl;
    return 0;
}
""", "Output: `0 1`"))],
    [("human", "Write a C++ function that reverses a singly linked list."),
     ("gpt", cpp("Three pointers walk the list once, reversing each link.", """
#include <iostream>

struct Node {
    int value;
    Node* next;
};

Node* reverse(Node* head) {
    Node* prev = nullptr;
    while (head) {
        Node* next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

int main() {
    Node c{3, nullptr}, b{2, &c}, a{1, &b};
    for (Node* n = reverse(&a); n; n = n->next) std::cout << n->value << ' ';
    std::cout << '\\n';
    return 0;
}
""", "Output: `3 2 1`"))],
    # defect: C++ code that does not compile (missing closing brace and semicolon)
    [("human", "Write a C++ function that returns the maximum element of a vector."),
     ("gpt", cpp("Iterate once and keep the largest value seen.", """
#include <vector>

int maxElement(const std::vector<int>& v) {
    int best = v[0]
    for (int x : v) {
        if (x > best) best = x;
    return best;
}
"""))],
    [("human", "Print the first 10 prime numbers in C++ using the sieve of Eratosthenes."),
     ("gpt", cpp("A sieve up to 30 is enough for the first ten primes.", """
#include <iostream>
#include <vector>

int main() {
    const int limit = 30;
    std::vector<bool> composite(limit + 1, false);
    int found = 0;
    for (int i = 2; i <= limit && found < 10; ++i) {
        if (composite[i]) continue;
        std::cout << i << (found < 9 ? " " : "\\n");
        ++found;
        for (int j = i * i; j <= limit; j += i) composite[j] = true;
    }
    return 0;
}
""", "Output: `2 3 5 7 11 13 17 19 23 29`"))],
    # defect: near duplicate of record 4 (binary search in JavaScript), renamed and reworded
    [("human", "Implement a binary search function in JavaScript that returns the index of the target."),
     ("gpt", js("The search range halves at every step, so the search needs O(log n) comparisons.", """
function search(nums, target) {
  let lo = 0;
  let hi = nums.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nums[mid] === target) return mid;
    if (nums[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

console.log(search([1, 3, 5, 7, 9, 11], 7)); // 3
"""))],
    # defect: no code, only advice
    [("human", "What is the best way to learn Go concurrency?"),
     ("gpt", "Start with goroutines and channels in the Tour of Go, then read about the sync package and "
             "the context package. Build a small worker pool and a pipeline, and run your programs with the "
             "race detector (go run -race) to catch mistakes early.")],
    [("human", "Write a JavaScript function that chunks an array into groups of a given size."),
     ("gpt", js("`Array.from` with a computed length creates exactly the right number of chunks.", """
function chunk(arr, size) {
  return Array.from({ length: Math.ceil(arr.length / size) }, (_, i) =>
    arr.slice(i * size, i * size + size)
  );
}

console.log(chunk([1, 2, 3, 4, 5, 6, 7], 3)); // [ [ 1, 2, 3 ], [ 4, 5, 6 ], [ 7 ] ]
"""))],
]

DEFECTS = [(30, "uncompilable"), (32, "near_duplicate_of:4"), (33, "no_code")]
