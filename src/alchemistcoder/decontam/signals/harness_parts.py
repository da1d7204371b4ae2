"""The fixed code a Go or a Rust harness program ends with (``programs.py`` writes the rest, its sample and its
calls; ``foreign.py`` joins the two, as it joins ``csharp_ruby.py``'s programs, so that neither module imports the
other): how an answer is printed as JSON, and how each call is limited by its CPU time and marked when it runs out
of it (``{"call": n, "timeout": true}``, the line ``batches.py`` reads beside the answers for ``foreign.py``'s
slow rule). Go's and Rust's top-level declarations may come in any order, so the runtime can follow the calls.

A Rust call runs in a forked child limited by RLIMIT_CPU, as a C call does; a Go call, whose runtime cannot fork,
in the program itself started again (``DECONTAM_CALL``) under the same limit. SIGXCPU, or the wall clock that
backstops a call that waits (WALL_FACTOR times the limit, as C's and C++'s alarm), writes the call's marker: a
panic or a crash writes none, so a call out of time is told from one that failed. A marker starts with a newline:
it ends a line the call may have left half written.
"""

from __future__ import annotations

WALL_FACTOR = 4

# Each Go call in the program started again for it (a goroutine cannot be stopped, nor a Go process forked): the
# child limits its CPU time to SECONDS and writes the marker on SIGXCPU; the parent kills one that waits past
# WALL_FACTOR times that and writes the marker itself. A call that panicked or crashed exits otherwise, unmarked.
_GO_RUNTIME = r"""
type decontamCallT struct {
	tag, late, name string
	f               func() interface{}
}

func decontamChild(c decontamCallT) {
	var l decontamSyscall.Rlimit
	if decontamSyscall.Getrlimit(decontamSyscall.RLIMIT_CPU, &l) == nil {
		if l.Max == ^uint64(0) || l.Max > SECONDS {
			l.Cur = SECONDS
		}
		decontamSyscall.Setrlimit(decontamSyscall.RLIMIT_CPU, &l)
	}
	late := make(chan decontamOS.Signal, 1)
	decontamSignal.Notify(late, decontamSyscall.SIGXCPU)
	go func() { <-late; decontamOS.Stdout.WriteString(c.late); decontamOS.Exit(3) }()
	defer func() {
		if recover() != nil {
			decontamOS.Exit(1)
		}
	}()
	b, err := decontamJSON.Marshal(c.f())
	if err != nil {
		decontamOS.Exit(1)
	}
	decontamOS.Stdout.WriteString(c.tag + string(b) + "}\n")
	decontamOS.Exit(0)
}

func decontamRun(i int, c decontamCallT) bool {
	exe, err := decontamOS.Executable()
	if err != nil {
		exe = decontamOS.Args[0]
	}
	cmd := decontamExec.Command(exe)
	cmd.Env = append(decontamOS.Environ(), "DECONTAM_CALL="+decontamStrconv.Itoa(i))
	cmd.Stdout = decontamOS.Stdout
	if cmd.Start() != nil {
		return false
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err == nil
	case <-decontamTime.After(WALL_FACTOR * SECONDS * decontamTime.Second):
		cmd.Process.Kill()
		<-done
		decontamOS.Stdout.WriteString(c.late)
		return false
	}
}

func decontamMain(calls []decontamCallT) {
	if s := decontamOS.Getenv("DECONTAM_CALL"); s != "" {
		if i, err := decontamStrconv.Atoi(s); err == nil && i >= 0 && i < len(calls) {
			decontamChild(calls[i])
		}
		decontamOS.Exit(1)
	}
	failed := map[string]bool{}
	for i, c := range calls {
		if !failed[c.name] && !decontamRun(i, c) {
			failed[c.name] = true // it crashed or ran out of time: its other calls are skipped
		}
	}
	decontamOS.Exit(0)
}
"""

_RUST_EMIT = r"""
trait DecontamEmit { fn emit(&self) -> String; }
macro_rules! decontam_int { ($($t:ty),*) => { $(impl DecontamEmit for $t { fn emit(&self) -> String { self.to_string() } })* } }
decontam_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
impl DecontamEmit for f64 { fn emit(&self) -> String {
  if self.is_nan() { "NaN".into() } else if self.is_infinite() { if *self > 0.0 { "Infinity".into() } else { "-Infinity".into() } }
  else { format!("{:e}", self) } } }
impl DecontamEmit for f32 { fn emit(&self) -> String { (*self as f64).emit() } }
impl DecontamEmit for bool { fn emit(&self) -> String { self.to_string() } }
impl DecontamEmit for char { fn emit(&self) -> String { self.to_string().emit() } }
impl DecontamEmit for String { fn emit(&self) -> String { self.as_str().emit() } }
impl DecontamEmit for &str { fn emit(&self) -> String { let mut o = String::from("\"");
  for c in self.chars() { match c { '"' => o.push_str("\\\""), '\\' => o.push_str("\\\\"),
    c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)), c => o.push(c) } } o.push('"'); o } }
impl<T: DecontamEmit> DecontamEmit for Vec<T> { fn emit(&self) -> String {
  format!("[{}]", self.iter().map(|x| x.emit()).collect::<Vec<_>>().join(",")) } }
impl<T: DecontamEmit> DecontamEmit for Option<T> { fn emit(&self) -> String {
  match self { Some(x) => x.emit(), None => "null".into() } } }
"""

# Each Rust call in a forked child (std has neither fork nor rlimits: libc's, declared here, Linux's numbers), limited
# by SECONDS of CPU time and an alarm at WALL_FACTOR times that, on a thread with a large stack (a deep recursion).
_RUST_CALL = r"""
mod decontam_sys {
  use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
  extern "C" {
    pub fn fork() -> i32; pub fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32; pub fn _exit(code: i32) -> !;
    fn alarm(seconds: u32) -> u32; fn signal(sig: i32, handler: extern "C" fn(i32)) -> usize;
    fn write(fd: i32, buf: *const u8, n: usize) -> isize;
    fn getrlimit(resource: i32, limit: *mut [u64; 2]) -> i32; fn setrlimit(resource: i32, limit: *const [u64; 2]) -> i32;
  }
  static LATE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut()); static LATE_N: AtomicUsize = AtomicUsize::new(0);
  extern "C" fn out(_sig: i32) { unsafe { write(1, LATE.load(Ordering::SeqCst), LATE_N.load(Ordering::SeqCst)); _exit(3) } }
  pub fn limit(late: &'static str, seconds: u64) { unsafe {
    LATE.store(late.as_ptr() as *mut u8, Ordering::SeqCst); LATE_N.store(late.len(), Ordering::SeqCst);
    signal(24, out); signal(14, out);  // SIGXCPU, SIGALRM
    let mut l = [0u64; 2];
    if getrlimit(0, &mut l) == 0 { if l[1] == u64::MAX || l[1] > seconds { l[0] = seconds; } setrlimit(0, &l); }  // RLIMIT_CPU
    alarm((WALL_FACTOR * seconds) as u32); } }
}
fn decontam_call<T: DecontamEmit + Send + 'static>(tag: &str, late: &'static str, f: impl FnOnce() -> T + Send + 'static) -> bool {
  use std::io::Write;
  let _ = std::io::stdout().flush();
  let pid = unsafe { decontam_sys::fork() };
  if pid < 0 { return false; }
  if pid == 0 {
    decontam_sys::limit(late, SECONDS);
    let answer = std::thread::Builder::new().stack_size(64 << 20).spawn(move || f().emit()).ok().and_then(|h| h.join().ok());
    let code = match answer { Some(s) => { println!("{}{}}}", tag, s); let _ = std::io::stdout().flush(); 0 } None => 1 };
    unsafe { decontam_sys::_exit(code) }
  }
  let mut status = 1;
  unsafe { decontam_sys::waitpid(pid, &mut status, 0); }
  status == 0
}
"""


def _seconds(limit_ms: int) -> int:
    return -(-limit_ms // 1000)  # RLIMIT_CPU counts whole seconds


def go_runtime(limit_ms: int) -> str:
    """The functions a Go harness program's ``main`` calls (``decontamMain`` with its calls, ``decontamCallT``),
    each call limited to ``limit_ms`` of CPU time (whole seconds, rounded up)."""
    return _GO_RUNTIME.replace("WALL_FACTOR", str(WALL_FACTOR)).replace("SECONDS", str(_seconds(limit_ms)))


def rust_runtime(limit_ms: int) -> str:
    """The items a Rust harness program's calls use (``DecontamEmit``, ``decontam_call``), each call limited to
    ``limit_ms`` of CPU time (whole seconds, rounded up)."""
    return (_RUST_EMIT + _RUST_CALL).replace("WALL_FACTOR", str(WALL_FACTOR)).replace("SECONDS", str(_seconds(limit_ms)))
