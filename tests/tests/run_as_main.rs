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
    let exit = ayutil::__private::scope::run_main_until(
        ayutil::__private::scope::MainConfig::new().current_thread(),
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
        || tokio::time::sleep(Duration::from_millis(20)),
    );
    assert_eq!(exit, MainExit::INTERRUPTED);
    assert_eq!(cancelled.load(Ordering::SeqCst), 1);
}

#[cfg(unix)]
#[run_as_main(flavor = "current_thread")]
async fn waits_for_sigterm(run: Scope) {
    run.spawn(std::future::pending());
    // The handlers are installed before `main` starts, so this does not kill the test.
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("the `kill` command runs");
    assert!(status.success());
    std::future::pending::<()>().await;
}

/// Signals reach every handler of the process, so the SIGTERM test runs in a child
/// process (this test binary again, filtered to this one test).
#[cfg(unix)]
#[test]
fn sigterm_cancels_the_root_scope_and_exits_with_130() {
    const CHILD: &str = "AYUTIL_TEST_SIGTERM_CHILD";
    if std::env::var_os(CHILD).is_some() {
        std::process::exit(i32::from(waits_for_sigterm().code()));
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sigterm_cancels_the_root_scope_and_exits_with_130",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(130));
}
