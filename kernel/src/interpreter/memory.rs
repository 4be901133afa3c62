//! Giving freed memory back to the system.
//!
//! evcxr's rust-analyzer builds large temporary structures while it indexes distsim and types a
//! cell's variables, then frees them. glibc's allocator keeps freed pages mapped for reuse, so the
//! kernel's resident memory stays at its high-water mark although most of it is free. Trimming after
//! the analyzer's big jobs hands those pages back: the kernel's idle footprint is what it really
//! holds, which matters on a shared teaching server with one kernel per student.

/// Returns free heap pages to the operating system (glibc only; elsewhere a no-op).
pub fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
