"""The sandbox with real toolchains: every language runs, and hostile programs are contained."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
import time

import pytest

from alchemistcoder.sandbox import Job, isolation, run_many, run_program

HELLO = {
    "python": 'import sys\nprint("hi", sys.stdin.read().strip())',
    "c": '#include <stdio.h>\nint main(){char b[64];scanf("%63s",b);printf("hi %s\\n",b);return 0;}',
    "cpp": '#include <iostream>\nint main(){std::string s;std::cin>>s;std::cout<<"hi "<<s<<std::endl;}',
    "java": "import java.util.*;\npublic class Hello{public static void main(String[] a){"
    'System.out.println("hi "+new Scanner(System.in).next());}}',
    "javascript": 'console.log("hi " + require("fs").readFileSync(0, "utf8").trim())',
    "go": 'package main\nimport "fmt"\nfunc main(){var s string;fmt.Scan(&s);fmt.Println("hi", s)}',
    "rust": "use std::io::Read;\nfn main(){let mut s=String::new();"
    'std::io::stdin().read_to_string(&mut s).unwrap();println!("hi {}",s.trim());}',
}


@pytest.mark.parametrize("language", sorted(HELLO))
def test_each_language_compiles_and_runs_with_stdin(language):
    res = run_program(language, HELLO[language], stdin="there\n", timeout_s=20)
    assert res.status == "ok", (res.stderr, res.compile_output)
    assert res.stdout.strip() == "hi there"
    assert res.returncode == 0


def test_compile_errors_and_runtime_errors_are_told_apart():
    bad = run_program("cpp", "int main( { return 0; }")
    assert bad.status == "compile_error" and "error" in bad.compile_output
    boom = run_program("python", "raise ValueError('boom')")
    assert boom.status == "error" and boom.returncode == 1 and "ValueError: boom" in boom.stderr
    rs = run_program("rust", 'fn main(){ let v: Vec<i32> = vec![]; println!("{}", v[3]); }')
    assert rs.status == "error" and "index out of bounds" in rs.stderr


def test_argv_files_and_private_working_directory():
    src = "import os, sys\nprint(sys.argv[1:], open('data.txt').read(), os.getcwd(), os.getuid())"
    res = run_program("python", src, argv=["a", "b"], files={"data.txt": "payload"})
    assert res.status == "ok"
    argv, rest = res.stdout.split("]", 1)
    assert argv == "['a', 'b'"
    assert "payload" in rest
    if isolation().drop_uid:
        assert rest.split()[-1] == "65534"


def test_network_is_isolated_even_from_host_loopback():
    assert isolation().namespaces, isolation().notes
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        src = (
            "import socket\n"
            f"for addr in [('127.0.0.1', {port}), ('1.1.1.1', 80)]:\n"
            "    s = socket.socket(); s.settimeout(2)\n"
            "    print(s.connect_ex(addr))\n"
            "print(open('/proc/net/dev').read().count(':'))\n"
        )
        res = run_program("python", src)
        assert res.status == "ok", res.stderr
        refused, unreachable, interfaces = res.stdout.split()
        assert (
            refused != "0" and unreachable != "0"
        )  # the host's server and the internet are both out of reach
        assert interfaces == "1"  # loopback only
    finally:
        server.shutdown()


def test_environment_secrets_do_not_reach_the_program(monkeypatch):
    monkeypatch.setenv("ALCHEMIST_TEST_SECRET", "s3cr3t-value")
    src = (
        "import os, glob\n"
        "print(sorted(os.environ))\n"
        "leaks = []\n"
        "for p in glob.glob('/proc/*/environ'):\n"
        "    try: leaks.append(open(p, 'rb').read())\n"
        "    except OSError: pass\n"
        "print(any(b's3cr3t' in x for x in leaks))\n"
    )
    res = run_program("python", src)
    assert res.status == "ok", res.stderr
    names, leaked = res.stdout.splitlines()
    assert "ALCHEMIST_TEST_SECRET" not in names and "s3cr3t" not in res.stdout
    assert set(eval(names)) <= {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LC_CTYPE"}
    assert leaked == "False"


def test_writes_outside_the_working_directory_do_not_reach_the_host(tmp_path):
    marker = f"alchemist-escape-{os.getpid()}"
    src = (
        "import os\n"
        f"open('/tmp/{marker}', 'w').write('x')\n"
        "for target in ['/etc/" + marker + "', '" + str(tmp_path / marker) + "', '/root/" + marker + "']:\n"
        "    try:\n"
        "        open(target, 'w').write('x'); print('wrote', target)\n"
        "    except OSError as e:\n"
        "        print('denied', type(e).__name__)\n"
    )
    res = run_program("python", src)
    assert res.status == "ok", res.stderr
    assert not os.path.exists(f"/tmp/{marker}")  # its /tmp was a private tmpfs
    assert not os.path.exists(f"/etc/{marker}") and not (tmp_path / marker).exists()
    assert "wrote /etc" not in res.stdout


def test_infinite_loop_times_out_and_the_next_job_runs():
    start = time.monotonic()
    res = run_program("python", "while True: pass", timeout_s=1.5)
    assert res.status == "timeout"
    assert time.monotonic() - start < 8
    assert run_program("python", "print(1)").stdout == "1\n"


def test_fork_bomb_is_contained_and_leaves_no_process_behind():
    src = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    start = time.monotonic()
    res = run_program("python", src, timeout_s=2)
    assert res.status in ("timeout", "killed", "error")
    assert time.monotonic() - start < 20
    time.sleep(0.2)
    survivors = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if b"os.fork()" in fh.read():
                        survivors.append(pid)
            except OSError:
                pass
    assert survivors == []
    assert run_program("python", "print('alive')").stdout == "alive\n"


@pytest.mark.parametrize(
    "language,src",
    [
        ("python", "x = []\nwhile True:\n    x.append(bytearray(50_000_000))\n"),
        (
            "cpp",
            "#include <vector>\nint main(){std::vector<char*> v; while(true){char* p=new char[50000000];"
            "for(int i=0;i<50000000;i+=4096)p[i]=1; v.push_back(p);} }",
        ),
    ],
)
def test_unbounded_allocation_is_reported_as_oom(language, src):
    res = run_program(language, src, memory_mb=256, timeout_s=10)
    assert res.status == "oom", (res.status, res.stderr[-300:])


def test_killing_parents_and_everything_does_not_reach_the_host():
    src = (
        "import os, signal\n"
        "for target in (os.getppid(), 1, -1):\n"
        "    try: os.kill(target, signal.SIGKILL)\n"
        "    except OSError as e: print(type(e).__name__)\n"
        f"try: os.kill({os.getpid()}, signal.SIGKILL)\n"
        "except OSError as e: print('host', type(e).__name__)\n"
    )
    res = run_program("python", src)
    # we are still here (the host pid does not exist in its namespace), and the sandbox still works
    assert res.status == "ok" and "host ProcessLookupError" in res.stdout
    assert run_program("python", "print(2)").stdout == "2\n"


def test_filling_the_disk_is_bounded_and_cleaned_up():
    before = shutil.disk_usage("/tmp").used
    src = (
        "import os\n"
        "i = 0\n"
        "while True:\n"
        "    with open(f'/tmp/fill{i}', 'wb') as fh:\n"
        "        fh.write(b'x' * (32 << 20))\n"
        "    i += 1\n"
    )
    res = run_program("python", src, timeout_s=10)
    assert res.status in ("error", "killed")
    assert "No space left" in res.stderr or "File too large" in res.stderr or res.status == "killed"
    assert shutil.disk_usage("/tmp").used - before < 256 << 20


def test_output_is_capped():
    res = run_program("python", "import sys\nwhile True: sys.stdout.write('y' * 65536)", timeout_s=2)
    assert res.truncated and len(res.stdout) <= 1 << 20
    assert res.status in ("timeout", "killed", "error")


def test_run_many_keeps_order_and_runs_in_parallel():
    jobs = [Job("python", f"import time; time.sleep(0.5); print({i})") for i in range(4)]
    jobs.append({"language": "javascript", "source": "console.log(42)"})
    start = time.monotonic()
    results = run_many(jobs, workers=4)
    elapsed = time.monotonic() - start
    assert [r.stdout.strip() for r in results] == ["0", "1", "2", "3", "42"]
    assert elapsed < 0.5 * 4 + 1.0  # would be > 2s sequentially


RUST_WITH_CRATES = r"""use rand::Rng;
use regex::Regex;
use md5;
fn main() {
    let roll: u32 = rand::thread_rng().gen_range(1..=6);
    assert!((1..=6).contains(&roll));
    let date = Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap().split_whitespace().nth(1).unwrap().to_string();
    println!("{} {} {:x} {}", date.is_match("2024-01-31"), date.is_match("31/01/2024"), md5::compute(b"Hello world"), uid);
}
"""


def test_rust_program_uses_the_crates_rand_regex_and_md5():
    from alchemistcoder.sandbox import rust_crates

    crates = rust_crates.require()  # fails, naming scripts/setup.sh, when the crates are not built
    manifest = crates.directory / rust_crates.MANIFEST
    built_at = manifest.stat().st_mtime_ns
    assert rust_crates.build().directory == crates.directory  # up to date: nothing rebuilt
    assert manifest.stat().st_mtime_ns == built_at
    # compiled and run inside the sandbox, as nobody when the host is root (the crates may sit under /root)
    res = run_program("rust", RUST_WITH_CRATES, timeout_s=20)
    assert res.status == "ok", (res.stderr, res.compile_output)
    regex_yes, regex_no, digest, uid = res.stdout.split()
    assert (regex_yes, regex_no) == ("true", "false")
    assert digest == "3e25960a79dbc69b674cd4ec67a72c62"  # md5 of "Hello world"
    if isolation().drop_uid:
        assert uid == "65534"
