//! An interrupt (the kernel's cancel file appearing) stops a sweep with Err(Interrupted).
//! Its own test binary: the cancel-file path is read once per process.

use distsim::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn creating_the_cancel_file_stops_the_sweep_and_removing_it_lets_the_next_run() {
    let path = std::env::temp_dir().join(format!("distsim-sweep-cancel-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    std::env::set_var(distsim::cancel::CANCEL_FILE_ENV, &path);
    let ran = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let result = pool.install(|| {
        Sweep::new((0..100).collect::<Vec<u32>>()).seeds(0..100).run(|_, _| {
            if ran.fetch_add(1, Ordering::SeqCst) == 50 {
                std::fs::write(&path, b"stop").unwrap(); // what the kernel does on interrupt
            }
            Ok(1.0)
        })
    });
    assert_eq!(result.unwrap_err(), Error::Interrupted);
    let ran = ran.load(Ordering::SeqCst);
    assert!(ran < 10_000, "stopped early, after {ran} of 10000 runs");
    std::fs::remove_file(&path).unwrap();
    assert!(Sweep::new(vec![1]).seeds(0..3).run(|_, _| Ok(1.0)).is_ok());
}
