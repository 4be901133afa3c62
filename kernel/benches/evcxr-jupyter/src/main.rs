//! evcxr_jupyter's own `main` (its src/main.rs is this one call).
fn main() -> anyhow::Result<()> {
    evcxr_jupyter::main()
}
