//! The kernelspec: kernel.json contents, logo PNGs, install and uninstall.

use distsim_kernel::kernelspec::logo::{adler32, crc32, logo_png};
use distsim_kernel::kernelspec::{install, uninstall, KernelSpec, Location};
use std::path::Path;

#[test]
fn checksums_match_their_standard_check_values() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
}

#[test]
fn logos_are_deterministic_pngs_of_the_right_size() {
    for size in [32u32, 64] {
        let png = logo_png(size);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), size);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), size);
        assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND");
        assert_eq!(png, logo_png(size), "same bytes every time");
    }
}

#[test]
fn install_writes_the_spec_and_uninstall_removes_it() {
    let prefix = std::env::temp_dir().join(format!("distsim-kernelspec-test-{}", std::process::id()));
    let location = Location::Prefix(prefix.clone());
    let exe = Path::new("/opt/bin/distsim-kernel");
    let dir = install(&location, exe).unwrap();
    assert_eq!(dir, prefix.join("share/jupyter/kernels/distsim"));
    let spec: KernelSpec = serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap()).unwrap();
    assert_eq!(spec.argv, ["/opt/bin/distsim-kernel", "--connection-file", "{connection_file}"]);
    assert_eq!(
        (spec.display_name.as_str(), spec.language.as_str(), spec.interrupt_mode.as_str()),
        ("Rust (distsim)", "rust", "message")
    );
    assert!(dir.join("logo-32x32.png").is_file() && dir.join("logo-64x64.png").is_file());
    uninstall(&location).unwrap();
    assert!(!dir.exists());
    assert!(uninstall(&location).unwrap_err().contains("no distsim kernelspec"));
    let _ = std::fs::remove_dir_all(prefix);
}
