//! Giving freed memory back to the system.
//!
//! evcxr's rust-analyzer builds large temporary structures while it indexes distsim and types a
//! cell's variables, then frees them. glibc's allocator keeps freed pages mapped for reuse, so the
//! kernel's resident memory stays at its high-water mark although most of it is free. Trimming
//! after the analyzer's big jobs hands those pages back: the kernel's idle footprint is what it
//! really holds, which matters on a shared teaching server with one kernel per student.
//!
//! A trim walks a heap of hundreds of MB while holding the allocator's lock, so it must not run
//! while a reply is being built: [`Trimmer`] waits until the kernel has been quiet for a moment,
//! and then watches the heap for a while in case more is freed late ([`FollowUp`]).

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long after the last cell the trim waits, so that it never delays a reply; also the interval
/// at which the heap is watched after a trim.
const QUIET: Duration = Duration::from_millis(500);

/// How many [`QUIET`] intervals the heap is watched after a trim (see [`FollowUp`]).
const FOLLOW_UP_INTERVALS: u32 = 20;

/// A heap that shrank by less than this over one interval has stopped shrinking.
const SETTLED_BYTES: usize = 1 << 20;

/// What the kernel tells its [`Trimmer`].
enum Event {
    /// A cell (or the warm-up) ended: trim once the kernel has been quiet for [`QUIET`].
    Done,
    /// A cell began: no trim until it is done.
    Busy,
}

/// Trims the heap once the kernel has been idle for [`QUIET`] after [`Trimmer::cell_done`], and
/// again if the heap goes on shrinking afterwards ([`FollowUp`]).
pub struct Trimmer {
    events: Sender<Event>,
}

impl Trimmer {
    pub fn start() -> Self {
        let (events, received) = channel::<Event>();
        std::thread::spawn(move || trim_when_quiet(&received));
        Trimmer { events }
    }

    /// Notes that a cell (or the analyzer's warm-up) just ended.
    pub fn cell_done(&self) {
        let _ = self.events.send(Event::Done);
    }

    /// Notes that a cell began: a follow-up trim of the previous one must not run under it.
    pub fn cell_begins(&self) {
        let _ = self.events.send(Event::Busy);
    }
}

/// The trimmer thread's loop; returns when the [`Trimmer`] is dropped.
fn trim_when_quiet(events: &Receiver<Event>) {
    let mut pending = false;
    loop {
        match events.recv_timeout(if pending { QUIET } else { Duration::from_secs(3600) }) {
            Ok(Event::Done) => pending = true,
            Ok(Event::Busy) => pending = false,
            Err(RecvTimeoutError::Timeout) if pending => {
                pending = false;
                if let Some(in_use) = return_free_memory() {
                    match watch_after_trim(events, FollowUp::after_trim(in_use)) {
                        WatchEnd::CellDone => pending = true,
                        WatchEnd::Closed => return,
                        WatchEnd::Settled | WatchEnd::CellBegan => {}
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// What ended [`watch_after_trim`].
enum WatchEnd {
    Settled,
    CellBegan,
    CellDone,
    Closed,
}

/// Reads the heap every [`QUIET`] and trims it again when `follow_up` says so, until it says stop
/// or the kernel has news.
fn watch_after_trim(events: &Receiver<Event>, mut follow_up: FollowUp) -> WatchEnd {
    loop {
        match events.recv_timeout(QUIET) {
            Ok(Event::Done) => return WatchEnd::CellDone,
            Ok(Event::Busy) => return WatchEnd::CellBegan,
            Err(RecvTimeoutError::Disconnected) => return WatchEnd::Closed,
            Err(RecvTimeoutError::Timeout) => {}
        }
        match heap_in_use().map(|in_use| follow_up.observe(in_use)) {
            Some(Step::Trim) => {
                if let Some(in_use) = return_free_memory() {
                    follow_up.trimmed(in_use);
                }
            }
            Some(Step::Watch) => {}
            Some(Step::Stop) | None => {
                // What kernel/benches/kernel_memory.py waits for before it reads "idle".
                crate::log::detail("trimmer: stopped watching the heap");
                return WatchEnd::Settled;
            }
        }
    }
}

/// Whether to trim again after a trim, from the heap's live bytes read every [`QUIET`].
///
/// rust-analyzer does not free the syntax trees and span maps it evicts: it hands them to threads
/// of its own ("ParseNodeDropper", "SpanMapDropper", which free a batch and then sleep 100 ms).
/// On a quiet machine they are done before the trim; on a loaded one they run later, and what they
/// free stays resident until the next cell's trim. Measured with eight `kernel_memory.py` runs at
/// once on two cores: the trim after the analyzer warm-up saw 201-289 MiB still in use, the heap
/// then shrank to 201 MiB, and the kernels stayed at 394-418 MiB until their next cell.
/// So after a trim the heap is watched: once it has shrunk and then holds still for an interval,
/// it is trimmed again. Watching stops after [`FOLLOW_UP_INTERVALS`] or at the next cell.
#[derive(Debug)]
struct FollowUp {
    /// Live bytes right after the last trim.
    at_trim: usize,
    /// Live bytes at the previous reading.
    last: usize,
    intervals: u32,
}

/// What [`FollowUp::observe`] advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Watch,
    Trim,
    Stop,
}

impl FollowUp {
    fn after_trim(in_use: usize) -> Self {
        FollowUp { at_trim: in_use, last: in_use, intervals: 0 }
    }

    /// One reading, an interval after the previous one.
    fn observe(&mut self, in_use: usize) -> Step {
        self.intervals += 1;
        let still_shrinking = in_use + SETTLED_BYTES <= self.last;
        let shrunk_since_trim = in_use + SETTLED_BYTES <= self.at_trim;
        self.last = in_use;
        let last_chance = self.intervals >= FOLLOW_UP_INTERVALS;
        if shrunk_since_trim && (!still_shrinking || last_chance) {
            Step::Trim
        } else if last_chance {
            Step::Stop
        } else {
            Step::Watch
        }
    }

    /// The heap was trimmed again with `in_use` live bytes: later frees are measured from here.
    fn trimmed(&mut self, in_use: usize) {
        self.at_trim = in_use;
        self.last = in_use;
    }
}

/// Keeps the kernel process's heap in one glibc arena (call it first thing in `main`, before any
/// thread starts).
///
/// glibc gives each thread that allocates while another holds the lock an arena of its own. The
/// analyzer runs on whichever thread holds the evcxr session: the one serving cells, the warm-up
/// thread, the completion requests. Its objects and the holes they leave when freed were then
/// spread over several heaps, each trimmed only where whole pages are free. One arena costs
/// little here (one thread works at a time, under the session lock) and keeps the free space in one
/// heap where later allocations reuse it: 525 instead of 564 MiB after the first notebook
/// (docs/class.md, "Memory for a class").
pub fn use_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning; no thread is running yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Returns free heap pages to the operating system (glibc only; elsewhere a no-op) and the live
/// bytes left (`None` where the allocator cannot say). With `DISTSIM_KERNEL_LOG` set, logs what
/// the heap holds before and after (see [`heap_report`]).
pub fn return_free_memory() -> Option<usize> {
    let logging = std::env::var_os("DISTSIM_KERNEL_LOG").is_some();
    let before = if logging { heap_report() } else { None };
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    if let (Some(before), Some(after)) = (before, logging.then(heap_report).flatten()) {
        crate::log::warn(&format!("memory: before the trim {before}; after {after}"));
    }
    heap_in_use()
}

/// The bytes live objects hold on the heap (glibc's `mallinfo2`; `None` elsewhere).
fn heap_in_use() -> Option<usize> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallinfo2 only reads the allocator's counters.
        Some(live_bytes(&unsafe { libc::mallinfo2() }))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

/// Live objects' bytes in glibc's account: the chunks handed out plus the mmapped ones.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn live_bytes(info: &libc::mallinfo2) -> usize {
    info.uordblks + info.hblkhd
}

/// The allocator's own account, in MiB: what live objects hold (`in use`), what is free but still
/// mapped, and the process's resident set. `in use` is what no trimming or allocator tuning can
/// give back; the gap between it and `rss` is the allocator's to close.
pub fn heap_report() -> Option<String> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const MIB: f64 = (1u64 << 20) as f64;
        // SAFETY: mallinfo2 only reads the allocator's counters.
        let info = unsafe { libc::mallinfo2() };
        let rss_kib = std::fs::read_to_string("/proc/self/status").ok().and_then(|status| {
            status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.split_whitespace().next()?.parse::<u64>().ok())
        });
        Some(format!(
            "in use {:.0} (of which mmapped {:.0}), free {:.0}, rss {}",
            live_bytes(&info) as f64 / MIB,
            info.hblkhd as f64 / MIB,
            info.fordblks as f64 / MIB,
            rss_kib.map_or("?".to_owned(), |kib| format!("{:.0}", kib as f64 / 1024.0)),
        ))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    fn steps(at_trim: usize, readings: &[usize]) -> Vec<Step> {
        let mut follow_up = FollowUp::after_trim(at_trim * MIB);
        readings.iter().map(|&mib| follow_up.observe(mib * MIB)).collect()
    }

    #[test]
    fn a_heap_that_shrinks_after_the_trim_is_trimmed_once_it_holds_still() {
        assert_eq!(steps(289, &[250, 214, 214]), [Step::Watch, Step::Watch, Step::Trim]);
        // Late frees: nothing for two intervals, then the dropper threads run.
        assert_eq!(steps(289, &[289, 289, 230, 230]), [Step::Watch, Step::Watch, Step::Watch, Step::Trim]);
    }

    #[test]
    fn a_heap_that_holds_still_or_grows_is_watched_and_then_left_alone() {
        let still = steps(214, &[214; FOLLOW_UP_INTERVALS as usize]);
        assert!(still[..still.len() - 1].iter().all(|s| *s == Step::Watch), "{still:?}");
        assert_eq!(still.last(), Some(&Step::Stop));
        // Less than a MiB is noise; growth is the next job's, not something to give back.
        assert_eq!(steps(214, &[214, 300, 301]), [Step::Watch; 3]);
    }

    #[test]
    fn a_heap_still_shrinking_at_the_last_interval_is_trimmed_then() {
        let readings: Vec<usize> = (0..FOLLOW_UP_INTERVALS as usize).map(|i| 400 - 2 * i).collect();
        let advice = steps(401, &readings);
        assert_eq!(advice.last(), Some(&Step::Trim));
        assert!(advice[..advice.len() - 1].iter().all(|s| *s == Step::Watch), "{advice:?}");
    }

    #[test]
    fn after_a_follow_up_trim_frees_are_counted_from_it() {
        let mut follow_up = FollowUp::after_trim(289 * MIB);
        assert_eq!(follow_up.observe(214 * MIB), Step::Watch);
        assert_eq!(follow_up.observe(214 * MIB), Step::Trim);
        follow_up.trimmed(214 * MIB);
        assert_eq!(follow_up.observe(214 * MIB), Step::Watch);
        assert_eq!(follow_up.observe(200 * MIB), Step::Watch);
        assert_eq!(follow_up.observe(200 * MIB), Step::Trim);
    }
}
