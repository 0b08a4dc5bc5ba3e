//! Integration tests of `#[run_as_main]`: exit codes, options, hooks, signals. Each
//! macro use names its function (not `main`) so the test calls it and reads the code.
//! The expansions compile under `deny(warnings, clippy::all)`.

#![deny(warnings, clippy::all)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ayutil::{MainExit, MainHooks, Scope, run_as_main};

#[run_as_main(flavor = "current_thread")]
async fn succeeds(run: Scope) {
    run.spawn(async {});
}

#[test]
fn success_exits_with_0() {
    assert_eq!(succeeds(), MainExit::SUCCESS);
    assert_eq!(succeeds().code(), 0);
}

#[run_as_main]
async fn returns_an_error(_run: Scope) -> Result<(), String> {
    let n: u32 = "not a number".parse().map_err(|e| format!("{e}"))?;
    let _ = n;
    Ok(())
}

#[test]
fn a_returned_error_exits_with_1() {
    assert_eq!(returns_an_error().code(), 1);
}

#[run_as_main(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_fails(run: Scope<(), &'static str>) {
    run.try_spawn(async { Err("task failed") });
}

#[test]
fn a_failing_task_of_the_root_scope_exits_with_1() {
    assert_eq!(a_task_fails(), MainExit::FAILURE);
}

static MAIN_FAILED_TASK_DROPPED: AtomicUsize = AtomicUsize::new(0);

#[run_as_main(flavor = "current_thread")]
async fn fails_with_a_task_pending(run: Scope) -> Result<(), String> {
    struct Dropped;
    impl Drop for Dropped {
        fn drop(&mut self) {
            MAIN_FAILED_TASK_DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }
    let dropped = Dropped;
    run.spawn(async move {
        let _dropped = dropped;
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    Err("config missing".to_owned())
}

#[test]
fn a_failing_main_cancels_the_root_scope_at_once() {
    // Bug: `main` returning `Err` did not cancel the root scope's tasks (exit after 3600 s).
    // The watchdog waits on a channel, on another thread: it cannot hurry the runtime.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(fails_with_a_task_pending()).unwrap());
    let exit = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("main's error cancels the sleeping task instead of waiting for it");
    assert_eq!(exit, MainExit::FAILURE);
    assert_eq!(MAIN_FAILED_TASK_DROPPED.load(Ordering::SeqCst), 1);
}

static FINISHED: AtomicUsize = AtomicUsize::new(0);

#[run_as_main(flavor = "current_thread")]
async fn returns_before_its_tasks(run: Scope) {
    for i in 0..20u64 {
        run.spawn(async move {
            tokio::time::sleep(Duration::from_millis(i)).await;
            FINISHED.fetch_add(1, Ordering::SeqCst);
        });
    }
}

#[test]
fn main_returns_only_after_every_task_of_the_root_scope() {
    assert_eq!(returns_before_its_tasks().code(), 0);
    assert_eq!(FINISHED.load(Ordering::SeqCst), 20);
}

static PEAK: AtomicUsize = AtomicUsize::new(0);
static NOW: AtomicUsize = AtomicUsize::new(0);

#[run_as_main(max_concurrency = 3, timeout = Duration::from_secs(30))]
async fn limited(run: Scope) {
    for _ in 0..200 {
        run.spawn(async {
            let now = NOW.fetch_add(1, Ordering::SeqCst) + 1;
            PEAK.fetch_max(now, Ordering::SeqCst);
            tokio::task::yield_now().await;
            NOW.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

#[test]
fn max_concurrency_applies_to_the_root_scope() {
    assert_eq!(limited().code(), 0);
    assert!(PEAK.load(Ordering::SeqCst) <= 3);
}

#[run_as_main(flavor = "current_thread", timeout = Duration::from_millis(50))]
async fn times_out(run: Scope) {
    run.spawn(std::future::pending());
}

#[test]
fn a_timed_out_root_scope_is_not_a_failure() {
    assert_eq!(times_out().code(), 0);
}

fn log() -> &'static Mutex<Vec<&'static str>> {
    static LOG: OnceLock<Mutex<Vec<&'static str>>> = OnceLock::new();
    LOG.get_or_init(Mutex::default)
}

fn push(entry: &'static str) -> impl FnOnce() -> std::future::Ready<()> + Send + 'static {
    move || {
        log().lock().unwrap().push(entry);
        std::future::ready(())
    }
}

fn hooks() -> MainHooks {
    MainHooks::new()
        .on_stopped(push("stopped"))
        .on_starting(push("starting 1"))
        .on_stopping(push("stopping"))
        .on_started(push("started"))
        .on_starting(push("starting 2"))
}

#[run_as_main(flavor = "current_thread", hooks = hooks())]
async fn with_hooks(run: Scope) {
    log().lock().unwrap().push("main");
    run.spawn(async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        log().lock().unwrap().push("task");
    });
}

#[test]
fn hooks_run_at_their_moments_in_registration_order() {
    assert_eq!(with_hooks().code(), 0);
    assert_eq!(
        *log().lock().unwrap(),
        [
            "starting 1",
            "starting 2",
            "started",
            "main",
            "task",
            "stopping",
            "stopped"
        ]
    );
}

#[test]
fn an_interruption_cancels_the_root_scope_and_exits_with_130() {
    let cancelled = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&cancelled);
    let exit = ayutil::__private::run_as_main::run_main_until(
        ayutil::__private::run_as_main::MainConfig::new().current_thread(),
        move |run: Scope| async move {
            struct Count(Arc<AtomicUsize>);
            impl Drop for Count {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            run.spawn(async move {
                let _count = Count(c);
                std::future::pending::<()>().await;
            });
        },
        || async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            MainExit::INTERRUPTED
        },
    );
    assert_eq!(exit, MainExit::INTERRUPTED);
    assert_eq!(cancelled.load(Ordering::SeqCst), 1);
}

/// Sends `signal` to this process from inside `main`, then waits to be cancelled.
#[cfg(unix)]
async fn signal_myself(run: Scope, signal: &str) {
    run.spawn(std::future::pending());
    // The handlers are installed before `main` starts, so this does not kill the test.
    let status = std::process::Command::new("kill")
        .args([signal, &std::process::id().to_string()])
        .status()
        .expect("the `kill` command runs");
    assert!(status.success());
    std::future::pending::<()>().await;
}

#[cfg(unix)]
#[run_as_main(flavor = "current_thread")]
async fn waits_for_sigterm(run: Scope) {
    signal_myself(run, "-TERM").await;
}

#[cfg(unix)]
#[run_as_main(flavor = "current_thread")]
async fn waits_for_sigint(run: Scope) {
    signal_myself(run, "-INT").await;
}

/// Runs `test` of this binary in a child process with `AYUTIL_TEST_SIGNAL_CHILD` set:
/// signals reach every handler of a process, so each signal test has a process of its own.
#[cfg(unix)]
fn exit_code_of_child(test: &str) -> Option<i32> {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--test-threads=1"])
        .env(CHILD, "1")
        .status()
        .unwrap()
        .code()
}

#[cfg(unix)]
const CHILD: &str = "AYUTIL_TEST_SIGNAL_CHILD";

// Regression: SIGTERM used to exit with 130, the code of SIGINT.
#[cfg(unix)]
#[test]
fn sigterm_cancels_the_root_scope_and_exits_with_143() {
    if std::env::var_os(CHILD).is_some() {
        std::process::exit(i32::from(waits_for_sigterm().code()));
    }
    assert_eq!(
        exit_code_of_child("sigterm_cancels_the_root_scope_and_exits_with_143"),
        Some(143)
    );
}

#[cfg(unix)]
#[test]
fn sigint_cancels_the_root_scope_and_exits_with_130() {
    if std::env::var_os(CHILD).is_some() {
        std::process::exit(i32::from(waits_for_sigint().code()));
    }
    assert_eq!(
        exit_code_of_child("sigint_cancels_the_root_scope_and_exits_with_130"),
        Some(130)
    );
}

static RAN_WITHOUT_SCOPE: AtomicUsize = AtomicUsize::new(0);

#[run_as_main(flavor = "current_thread")]
async fn takes_no_scope() {
    tokio::task::yield_now().await;
    RAN_WITHOUT_SCOPE.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn main_may_take_no_scope() {
    assert_eq!(takes_no_scope(), MainExit::SUCCESS);
    assert_eq!(RAN_WITHOUT_SCOPE.load(Ordering::SeqCst), 1);
}

#[run_as_main(flavor = "current_thread")]
async fn fails_without_scope() -> Result<(), std::num::ParseIntError> {
    let _: u8 = "300".parse()?;
    Ok(())
}

#[test]
fn main_without_scope_still_reports_errors() {
    assert_eq!(fails_without_scope(), MainExit::FAILURE);
}

#[run_as_main(flavor = "current_thread", timeout = "50ms")]
async fn times_out_with_a_string(run: Scope) {
    run.spawn(std::future::pending());
}

#[test]
fn timeout_takes_a_duration_string() {
    assert_eq!(times_out_with_a_string(), MainExit::SUCCESS);
}

#[run_as_main(flavor = "current_thread", timeout = "0s")]
async fn times_out_at_once(run: Scope) {
    run.spawn(std::future::pending());
}

#[test]
fn a_zero_timeout_cancels_at_once() {
    assert_eq!(times_out_at_once(), MainExit::SUCCESS);
}

#[run_as_main(flavor = "current_thread", timeout = Duration::MAX)]
async fn never_times_out(run: Scope) {
    run.spawn(async { tokio::task::yield_now().await });
}

#[test]
fn a_max_timeout_is_no_deadline() {
    assert_eq!(never_times_out(), MainExit::SUCCESS);
}
