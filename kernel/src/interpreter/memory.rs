//! Giving freed memory back to the system.
//!
//! evcxr's rust-analyzer builds large temporary structures while it indexes distsim and types a
//! cell's variables, then frees them. glibc's allocator keeps freed pages mapped for reuse, so the
//! kernel's resident memory stays at its high-water mark although most of it is free. Trimming
//! after the analyzer's big jobs hands those pages back: the kernel's idle footprint is what it
//! really holds, which matters on a shared teaching server with one kernel per student.
//!
//! A trim walks a heap of hundreds of MB while holding the allocator's lock, so it must not run
//! while a reply is being built: [`Trimmer`] waits until the kernel has been quiet for a moment.

use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long after the last cell the trim waits, so that it never delays a reply.
const QUIET: Duration = Duration::from_millis(500);

/// Trims the heap once the kernel has been idle for [`QUIET`] after [`Trimmer::cell_done`].
pub struct Trimmer {
    poke: Sender<()>,
}

impl Trimmer {
    pub fn start() -> Self {
        let (poke, pokes) = channel::<()>();
        std::thread::spawn(move || {
            let mut pending = false;
            loop {
                match pokes.recv_timeout(if pending { QUIET } else { Duration::from_secs(3600) }) {
                    Ok(()) => pending = true,
                    Err(RecvTimeoutError::Timeout) if pending => {
                        return_free_memory();
                        pending = false;
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        });
        Trimmer { poke }
    }

    /// Notes that a cell (or the analyzer's warm-up) just ended.
    pub fn cell_done(&self) {
        let _ = self.poke.send(());
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

/// Returns free heap pages to the operating system (glibc only; elsewhere a no-op). With
/// `DISTSIM_KERNEL_LOG` set, logs what the heap holds before and after (see [`heap_report`]).
pub fn return_free_memory() {
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
            (info.uordblks + info.hblkhd) as f64 / MIB,
            info.hblkhd as f64 / MIB,
            info.fordblks as f64 / MIB,
            rss_kib.map_or("?".to_owned(), |kib| format!("{:.0}", kib as f64 / 1024.0)),
        ))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}
