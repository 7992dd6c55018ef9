//! Group commit for log lines, the way databases batch commits: lines that
//! concurrent requests log are gathered and written with one `write(2)`,
//! and each request still sends its response only after its own lines are
//! written.
//!
//! A request's future runs inside [`lines_written_first`]. While it is
//! polled, the lines it logs (its audit line above all) are only appended
//! to a shared buffer; when it completes, it waits until a write has taken
//! them. The first waiter to find no write on its way promises one, steps
//! back once (`yield_now`: the runtime first runs every other task that is
//! ready and polls the network, so their lines join the buffer), then
//! writes everything waiting in one call and wakes the others. Nothing
//! waits on a timer and there is no writer thread to wake.
//!
//! Lines logged anywhere else (start-up, background tasks, blocking
//! threads) are written before the logging call returns, together with
//! whatever is waiting, so the file keeps the order the lines were logged
//! in. A line is never left behind: a request future dropped before its
//! lines were written (client gone, shutdown grace over) writes them as it
//! is dropped. What a `kill -9` can lose is lines waiting for their write,
//! and the responses of those requests have not been sent.
//!
//! Writes are serialised by a lock, so batches never interleave, even on a
//! pipe where a write above `PIPE_BUF` would not be atomic.

use std::cell::Cell;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;
use tokio::sync::watch;

/// The reused batch buffer is given back to the allocator above this size
/// (after a burst), so a spike does not pin memory.
const KEEP_CAPACITY: usize = 256 * 1024;

/// One log destination with group commit.
pub(crate) struct GroupCommit {
    pending: Mutex<Pending>,
    output: Mutex<Output>,
    /// A waiter has promised to write soon; the others wait for it.
    write_promised: AtomicBool,
    /// Sequence number of the last line written (lines are numbered from 1).
    written: watch::Sender<u64>,
    writes: AtomicU64,
}

struct Pending {
    lines: Vec<u8>,
    /// Lines appended so far: the sequence number of the last one.
    appended: u64,
}

struct Output {
    sink: Box<dyn Write + Send>,
    /// The batch being written; swapped with `Pending::lines`, so neither
    /// side allocates once warm.
    batch: Vec<u8>,
}

/// How many lines were logged and in how many writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineCounts {
    pub(crate) lines: u64,
    pub(crate) writes: u64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Logging goes on after a panic elsewhere; the data is plain bytes.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    pub(crate) fn new(sink: Box<dyn Write + Send>) -> Self {
        GroupCommit {
            pending: Mutex::new(Pending {
                lines: Vec::new(),
                appended: 0,
            }),
            output: Mutex::new(Output {
                sink,
                batch: Vec::new(),
            }),
            write_promised: AtomicBool::new(false),
            written: watch::Sender::new(0),
            writes: AtomicU64::new(0),
        }
    }

    /// Logs one whole line: deferred to a group commit inside
    /// [`lines_written_first`], written at once anywhere else.
    pub(crate) fn log(&'static self, line: &[u8]) {
        let deferred = SCOPE
            .try_with(|scope| match scope.get() {
                Scope::Outside => false,
                Scope::Inside(owed) => {
                    let seq = self.append(line);
                    if let Some(other) = owed.filter(|o| !std::ptr::eq(o.log, self)) {
                        other.log.write_pending(false); // (only with two logs at once)
                    }
                    scope.set(Scope::Inside(Some(Owed { log: self, seq })));
                    true
                }
            })
            .unwrap_or(false);
        if !deferred {
            self.append(line);
            self.write_pending(false);
        }
    }

    fn append(&self, line: &[u8]) -> u64 {
        let mut pending = lock(&self.pending);
        pending.lines.extend_from_slice(line);
        pending.appended += 1;
        pending.appended
    }

    /// Writes every line waiting, in one call, then tells the waiters
    /// (after giving up a promise to write, if `keeping_promise`, so that a
    /// waiter woken with lines still unwritten can promise the next write).
    fn write_pending(&self, keeping_promise: bool) {
        let mut output = lock(&self.output);
        let Output { sink, batch } = &mut *output;
        let upto = {
            let mut pending = lock(&self.pending);
            std::mem::swap(&mut pending.lines, batch);
            pending.appended
        };
        if !batch.is_empty() {
            // A failed write (disk full, reader gone) loses these lines, as
            // it lost single lines before; a request is not failed for it.
            let _ = sink.write_all(batch);
            self.writes.fetch_add(1, Ordering::Relaxed);
            batch.clear();
            if batch.capacity() > KEEP_CAPACITY {
                *batch = Vec::new();
            }
        }
        if keeping_promise {
            self.write_promised.store(false, Ordering::Release);
        }
        // Still under the output lock: the published number only grows.
        self.written.send_replace(upto);
    }

    fn is_written(&self, seq: u64) -> bool {
        *self.written.borrow() >= seq
    }

    /// Waits until line `seq` is written, writing it (and every other line
    /// waiting) if no one else has promised to.
    async fn wait_written(&'static self, seq: u64) {
        let mut written = self.written.subscribe();
        loop {
            if *written.borrow_and_update() >= seq {
                return;
            }
            if self
                .write_promised
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let promise = Promise(self);
                // Let every other ready task run (and the network be polled)
                // first: their lines join this write.
                tokio::task::yield_now().await;
                drop(promise);
                continue;
            }
            // The promised write wakes every waiter when it is done. (The
            // sender lives as long as `self`, forever: no error.)
            let _ = written.changed().await;
        }
    }

    pub(crate) fn counts(&self) -> LineCounts {
        LineCounts {
            lines: lock(&self.pending).appended,
            writes: self.writes.load(Ordering::Relaxed),
        }
    }
}

/// A promise to write: kept when dropped, also if the waiter is cancelled.
struct Promise(&'static GroupCommit);

impl Drop for Promise {
    fn drop(&mut self) {
        self.0.write_pending(true);
    }
}

/// The last line a request logged and has yet to see written.
#[derive(Clone, Copy)]
struct Owed {
    log: &'static GroupCommit,
    seq: u64,
}

#[derive(Clone, Copy)]
enum Scope {
    Outside,
    Inside(Option<Owed>),
}

thread_local! {
    /// Whether this thread is polling a future inside
    /// [`lines_written_first`], and what it has logged in this poll.
    static SCOPE: Cell<Scope> = const { Cell::new(Scope::Outside) };
}

/// Runs `future` with its log lines deferred to a group commit, and
/// completes once they are written: a response it returns is sent after
/// its lines are in the log.
pub(crate) fn lines_written_first<F: Future>(future: F) -> impl Future<Output = F::Output> {
    LinesWrittenFirst {
        future,
        output: None,
        debt: Debt(None),
        wait: GroupCommit::wait_written,
        waiting: None,
    }
}

pin_project! {
    /// [`lines_written_first`]'s future. Written out rather than as an
    /// `async fn`, which would hold `future` twice (the argument and the
    /// pinned local, rust-lang/rust#62958): a request's whole future, moved
    /// and allocated on every request.
    struct LinesWrittenFirst<F: Future, M, W> {
        #[pin]
        future: F,
        // `future`'s output, while its lines are being written (`None`
        // until it completes: a future is not polled after completing).
        output: Option<F::Output>,
        debt: Debt,
        // `GroupCommit::wait_written`, a type parameter so that its
        // future's type (which has no name) can be one.
        wait: M,
        #[pin]
        waiting: Option<W>,
    }
}

impl<F, M, W> Future for LinesWrittenFirst<F, M, W>
where
    F: Future,
    M: Fn(&'static GroupCommit, u64) -> W,
    W: Future<Output = ()>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if this.output.is_none() {
            let output = {
                let _scope = Polling::enter(this.debt);
                ready!(this.future.poll(cx))
            };
            *this.output = Some(output);
            if let Some(owed) = this.debt.0 {
                this.waiting.set(Some((this.wait)(owed.log, owed.seq)));
            }
        }
        if let Some(waiting) = this.waiting.as_mut().as_pin_mut() {
            ready!(waiting.poll(cx));
            this.waiting.set(None);
            this.debt.0 = None;
        }
        Poll::Ready(this.output.take().expect("set above"))
    }
}

/// Lines logged and not yet seen written; writes them if dropped first.
struct Debt(Option<Owed>);

impl Drop for Debt {
    fn drop(&mut self) {
        if let Some(owed) = self.0 {
            if !owed.log.is_written(owed.seq) {
                owed.log.write_pending(false);
            }
        }
    }
}

/// One poll inside the scope; restores the thread's previous scope even if
/// the poll panics, and adds what was logged to the debt.
struct Polling<'a> {
    debt: &'a mut Debt,
    previous: Scope,
}

impl<'a> Polling<'a> {
    fn enter(debt: &'a mut Debt) -> Self {
        let previous = SCOPE.replace(Scope::Inside(None));
        Polling { debt, previous }
    }
}

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        if let Scope::Inside(Some(owed)) = SCOPE.replace(self.previous) {
            if let Some(earlier) = self.debt.0.filter(|e| !std::ptr::eq(e.log, owed.log)) {
                earlier.log.write_pending(false); // (only with two logs at once)
            }
            self.debt.0 = Some(owed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A sink that records each write call.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn log() -> (&'static GroupCommit, Recorder) {
        let recorder = Recorder::default();
        let log = Box::leak(Box::new(GroupCommit::new(Box::new(recorder.clone()))));
        (log, recorder)
    }

    fn writes(recorder: &Recorder) -> Vec<String> {
        let writes = recorder.0.lock().unwrap();
        writes
            .iter()
            .map(|w| String::from_utf8(w.clone()).unwrap())
            .collect()
    }

    #[test]
    fn outside_a_scope_each_line_is_written_before_log_returns() {
        let (log, recorder) = log();
        log.log(b"one\n");
        assert_eq!(writes(&recorder), ["one\n"]);
        log.log(b"two\n");
        assert_eq!(writes(&recorder), ["one\n", "two\n"]);
        assert_eq!(
            log.counts(),
            LineCounts {
                lines: 2,
                writes: 2
            }
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn concurrent_requests_share_one_write_and_wait_for_it() {
        let (log, recorder) = log();
        let done = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let recorder = recorder.clone();
            let done = done.clone();
            tasks.push(tokio::spawn(lines_written_first(async move {
                log.log(format!("line {i}\n").as_bytes());
                assert!(writes(&recorder).is_empty(), "deferred, not written yet");
                done.fetch_add(1, Ordering::SeqCst);
            })));
        }
        for task in tasks {
            task.await.unwrap();
        }
        // Every task logged before any of them was allowed to finish (one
        // thread: the first waiter stepped back), so one write took all.
        assert_eq!(done.load(Ordering::SeqCst), 8);
        let written = writes(&recorder);
        assert_eq!(written.len(), 1, "{written:?}");
        let mut lines: Vec<&str> = written[0].lines().collect();
        lines.sort();
        assert_eq!(
            lines,
            (0..8).map(|i| format!("line {i}")).collect::<Vec<_>>()
        );
        assert_eq!(
            log.counts(),
            LineCounts {
                lines: 8,
                writes: 1
            }
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_line_logged_outside_writes_the_waiting_ones_first() {
        let (log, recorder) = log();
        let request = tokio::spawn(lines_written_first(async move {
            log.log(b"audit\n");
        }));
        tokio::task::yield_now().await; // the request logs and waits
        log.log(b"startup\n");
        assert_eq!(writes(&recorder), ["audit\nstartup\n"]);
        request.await.unwrap();
        assert_eq!(
            log.counts().writes,
            1,
            "nothing left for the promised write"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_request_dropped_before_its_write_writes_its_lines() {
        let (log, recorder) = log();
        let mut request = Box::pin(lines_written_first(async move {
            log.log(b"audit\n");
        }));
        // Poll once: the line is logged, the write promised, not done.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(request.as_mut().poll(&mut cx).is_pending());
        assert!(writes(&recorder).is_empty());
        drop(request);
        assert_eq!(writes(&recorder), ["audit\n"]);
    }

    #[test]
    fn a_panicking_poll_leaves_the_thread_outside_the_scope() {
        let (log, recorder) = log();
        // The log is not used across the panic except to read it after.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let waker = std::task::Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            let mut request = Box::pin(lines_written_first(async move {
                log.log(b"before the panic\n");
                panic!("handler bug");
            }));
            let _ = request.as_mut().poll(&mut cx);
        }));
        assert!(result.is_err());
        assert_eq!(writes(&recorder), ["before the panic\n"]);
        log.log(b"later\n");
        assert_eq!(writes(&recorder), ["before the panic\n", "later\n"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_requests_on_two_threads_lose_and_mix_nothing() {
        let (log, recorder) = log();
        let tasks: Vec<_> = (0..2000)
            .map(|i| {
                tokio::spawn(lines_written_first(async move {
                    log.log(format!("request {i:04} {}\n", "x".repeat(i % 300)).as_bytes());
                    i
                }))
            })
            .collect();
        for task in tasks {
            let i = task.await.unwrap();
            // Written by the time the request completes.
            let all = writes(&recorder).concat();
            assert!(all.contains(&format!("request {i:04} ")), "{i} missing");
        }
        let all = writes(&recorder).concat();
        let mut seen: Vec<usize> = all
            .lines()
            .map(|line| {
                let (head, pad) = line.rsplit_once(' ').unwrap();
                let i: usize = head.strip_prefix("request ").unwrap().parse().unwrap();
                assert_eq!(pad, "x".repeat(i % 300), "line {i} whole");
                i
            })
            .collect();
        seen.sort();
        assert_eq!(seen, (0..2000).collect::<Vec<_>>());
        assert_eq!(log.counts().lines, 2000);
    }
}
