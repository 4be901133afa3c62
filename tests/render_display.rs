//! display(), evcxr blocks and progress bars outside the kernel (DISTSIM_KERNEL unset).
//! The kernel-mode protocol is tested in `render_kernel_protocol.rs`, a separate test binary,
//! because it sets an environment variable for the whole process.

use distsim::prelude::*;
use distsim::render::capture;

#[test]
fn display_prints_evcxr_blocks_outside_the_kernel() {
    assert!(std::env::var("DISTSIM_KERNEL").is_err(), "run without DISTSIM_KERNEL");
    let table = Table::new(["a"]).with_row(vec![1i64.into()]).unwrap();
    let ((), out) = capture(|| {
        display(&table);
        display(&MimeBundle::text("second"));
        clear_output(false); // nothing outside the kernel
    });
    assert_eq!(
        out,
        format!("{}{}", table.mime_bundle().to_evcxr_blocks(), MimeBundle::text("second").to_evcxr_blocks())
    );
}

#[test]
fn macro_works_for_user_types_and_generics() {
    struct Mine;
    impl Render for Mine {
        fn mime_bundle(&self) -> MimeBundle {
            MimeBundle::text("mine").with("text/html", "<b>mine</b>")
        }
    }
    impl_evcxr_display!(Mine);
    struct Wrapper<T>(T);
    impl<T: std::fmt::Display> Render for Wrapper<T> {
        fn mime_bundle(&self) -> MimeBundle {
            MimeBundle::text(self.0.to_string())
        }
    }
    impl_evcxr_display!(<T> Wrapper<T>);
    let ((), out) = capture(|| {
        Mine.evcxr_display();
        Wrapper(42).evcxr_display();
    });
    assert_eq!(
        out,
        "EVCXR_BEGIN_CONTENT text/html\n<b>mine</b>\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\nmine\nEVCXR_END_CONTENT\n\
         EVCXR_BEGIN_CONTENT text/plain\n42\nEVCXR_END_CONTENT\n"
    );
}

#[test]
fn every_renderable_type_has_plain_text() {
    let trace = Trace::default();
    let bundles = [
        Table::new(["x"]).mime_bundle(),
        Plot::new("p").line("s", vec![(0.0, 1.0)]).mime_bundle(),
        mean_ci95(&[1.0, 2.0]).unwrap().mime_bundle(),
        SpaceTime::new(&trace).mime_bundle(),
        Progress { done: 1, total: 2 }.mime_bundle(),
        Sweep::new(vec![1]).seeds([1]).run(|_, _| Ok(1.0)).unwrap().mime_bundle(),
    ];
    for b in bundles {
        assert!(b.get("text/plain").is_some_and(|t| !t.is_empty()), "{b:?}");
    }
}

#[test]
fn progress_renders_text_and_html_bars() {
    let b = Progress { done: 3, total: 4 }.mime_bundle();
    assert_eq!(b.get("text/plain").unwrap(), "[#######################-------] 3/4 (75%)");
    assert!(b.get("text/html").unwrap().contains("<progress value=\"3\" max=\"4\">"));
    assert_eq!(Progress { done: 0, total: 0 }.fraction(), 1.0);
}

#[test]
fn progress_bar_throttles_but_always_shows_the_final_state() {
    let (bar, out) = capture(|| {
        let bar = ProgressBar::new("work <1>", 1000);
        for i in 1..=1000 {
            bar.set(i);
        }
        bar.finish();
        bar
    });
    let blocks = out.matches("EVCXR_BEGIN_CONTENT text/plain").count();
    // Initial draw + final draw, and no more than a handful in between (the loop takes far less than 1 s).
    assert!((2..=12).contains(&blocks), "{blocks} redraws:\n{out}");
    assert!(out.contains("work <1> [##############################] 1000/1000 (100%)"), "{out}");
    assert!(out.contains("work &lt;1&gt;"), "label escaped in HTML");
    assert!(out.trim_end().ends_with("EVCXR_END_CONTENT"));
    assert!(bar.display_id().starts_with("distsim-"));
    // finish() after the final state is already drawn does not draw again.
    let ((), again) = capture(|| bar.finish());
    assert_eq!(again, "");
}
