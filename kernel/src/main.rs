//! The `distsim-kernel` binary. See `cli` for the command line.

fn main() {
    // evcxr runs user code in a child process that is this very binary started again; the hook
    // turns such a start into the child's event loop and never returns there. It must run first.
    evcxr::runtime_hook();
    // Cargo also starts it as rustc's wrapper, to switch the cell crate's incremental cache.
    distsim_kernel::interpreter::incremental::rustc_wrapper_hook();
    distsim_kernel::interpreter::memory::use_one_arena();
    std::process::exit(distsim_kernel::cli::main());
}
