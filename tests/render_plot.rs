//! Plots: every kind renders, output is byte-identical, bad data is refused by name.

use distsim::prelude::*;

fn all_kinds() -> Vec<Plot> {
    let pts: Vec<(f64, f64)> = (1..=10).map(|i| (i as f64, (i * i) as f64)).collect();
    let values: Vec<f64> = (0..200).map(|i| 1.0 + ((i * 37) % 100) as f64 / 10.0).collect();
    vec![
        Plot::new("line").x_label("x").y_label("y").line("squares", pts.clone()),
        Plot::new("scatter").scatter("pts", pts.clone()),
        Plot::new("bar").bar("a", vec![("one".into(), 1.0), ("two".into(), 2.0)]).bar("b", vec![("two".into(), 3.0)]),
        Plot::new("hist").histogram("h", values.clone(), 20),
        Plot::new("cdf").cdf("c", values.clone()),
        Plot::new("log").line("squares", pts.clone()).log_x().log_y(),
        Plot::new("errors")
            .error_bars("e", pts.iter().map(|&(x, y)| (x, y, y - 1.0, y + 2.0)).collect())
            .line("m", pts.clone()),
        Plot::new("log hist").histogram("h", values, 10).log_x().log_y(),
        Plot::new("mean and ci")
            .line_with_error_bars("m", pts.iter().map(|&(x, y)| (x, y, y * 0.9, y * 1.1)).collect())
            .log_y(),
    ]
}

#[test]
fn every_kind_renders_an_svg_document() {
    for plot in all_kinds() {
        let svg = plot.to_svg().unwrap_or_else(|e| panic!("{}: {e}", plot.title_text()));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{}", plot.title_text());
        assert!(svg.contains(&format!(">{}<", plot.title_text())) || svg.contains(plot.title_text()), "title drawn");
        for s in plot.series() {
            assert!(svg.contains(&s.name), "legend names series {:?}", s.name);
        }
    }
}

#[test]
fn identical_input_gives_identical_bytes() {
    for (a, b) in all_kinds().into_iter().zip(all_kinds()) {
        assert_eq!(a.to_svg().unwrap(), b.to_svg().unwrap(), "{}", a.title_text());
    }
}

#[test]
fn different_data_gives_different_svg() {
    let a = Plot::new("p").line("s", vec![(0.0, 1.0), (1.0, 2.0)]).to_svg().unwrap();
    let b = Plot::new("p").line("s", vec![(0.0, 1.0), (1.0, 3.0)]).to_svg().unwrap();
    assert_ne!(a, b);
}

#[test]
fn text_uses_generic_font_family_and_is_escaped() {
    let svg = Plot::new("a < b & c").x_label("x").line("s<1>", vec![(0.0, 1.0), (1.0, 2.0)]).to_svg().unwrap();
    assert!(svg.contains("sans-serif"));
    assert!(svg.contains("a &lt; b &amp; c"), "title escaped");
    assert!(svg.contains("s&lt;1&gt;"), "legend escaped");
    assert!(!svg.contains("s<1>"));
}

#[test]
fn axes_are_labelled() {
    let svg = Plot::new("t")
        .x_label("offered load")
        .y_label("latency (ms)")
        .line("s", vec![(0.0, 1.0), (1.0, 2.0)])
        .to_svg()
        .unwrap();
    assert!(svg.contains("offered load") && svg.contains("latency (ms)"));
}

fn err_of(plot: Plot) -> String {
    plot.to_svg().unwrap_err().to_string()
}

#[test]
fn bad_data_is_refused_naming_series_and_rule() {
    let e = err_of(Plot::new("p").line("good", vec![(0.0, 1.0)]).line("bad", vec![(0.0, f64::NAN)]));
    assert!(e.contains("\"bad\"") && e.contains("finite"), "{e}");
    let e = err_of(Plot::new("p").scatter("inf", vec![(f64::INFINITY, 1.0)]));
    assert!(e.contains("\"inf\"") && e.contains("finite"), "{e}");
    let e = err_of(Plot::new("p").line("empty", vec![]));
    assert!(e.contains("\"empty\"") && e.contains("empty"), "{e}");
    let e = err_of(Plot::new("p").line("zero", vec![(0.0, 1.0), (1.0, 2.0)]).log_x());
    assert!(e.contains("\"zero\"") && e.contains("x > 0 on a log x axis"), "{e}");
    let e = err_of(Plot::new("p").line("neg", vec![(1.0, -1.0)]).log_y());
    assert!(e.contains("\"neg\"") && e.contains("y > 0 on a log y axis"), "{e}");
    let e = err_of(Plot::new("p").cdf("c", vec![0.0, 1.0]).log_x());
    assert!(e.contains("\"c\"") && e.contains("x > 0"), "{e}");
    let e = err_of(Plot::new("p").histogram("h", vec![1.0], 0));
    assert!(e.contains("\"h\" bins") && e.contains("1..="), "{e}");
    let e = err_of(Plot::new("p").error_bars("eb", vec![(1.0, 5.0, 6.0, 7.0)]));
    assert!(e.contains("\"eb\"") && e.contains("lo <= y <= hi"), "{e}");
    let e = err_of(Plot::new("p").bar("b", vec![("a".into(), 1.0)]).line("l", vec![(0.0, 1.0)]));
    assert!(e.contains("\"l\"") && e.contains("bar"), "{e}");
    let e = err_of(Plot::new("p").bar("b", vec![("a".into(), 0.0)]).log_y());
    assert!(e.contains("\"b\"") && e.contains("y > 0"), "{e}");
    let e = err_of(Plot::new("nothing"));
    assert!(e.contains("series of plot \"nothing\""), "{e}");
    let e = err_of(Plot::new("p").line("s", vec![(0.0, 1.0)]).size(10, 400));
    assert!(e.contains("size.width"), "{e}");
}

#[test]
fn single_point_and_constant_series_still_draw() {
    Plot::new("p").line("one", vec![(3.0, 3.0)]).to_svg().unwrap();
    Plot::new("p").histogram("same", vec![2.0; 10], 5).to_svg().unwrap();
    Plot::new("p").cdf("same", vec![7.0; 4]).log_x().to_svg().unwrap();
}

#[test]
fn plain_text_is_a_one_line_summary() {
    let p = Plot::new("Latency")
        .line("a", vec![(0.0, 1.0), (1.0, 2.0)])
        .error_bars("b", vec![(0.0, 1.0, 0.5, 1.5)])
        .log_y();
    let b = p.mime_bundle();
    assert_eq!(b.get("text/plain").unwrap(), "Plot \"Latency\": line+error bars, 2 series, 3 points, log y");
    assert!(b.get("image/svg+xml").unwrap().starts_with("<svg"));
    let broken = Plot::new("x").line("nan", vec![(f64::NAN, 1.0)]).mime_bundle();
    assert!(broken.get("text/plain").unwrap().contains("cannot draw"));
    assert!(broken.get("image/svg+xml").is_none());
}

#[test]
fn save_svg_writes_the_file_or_an_io_error() {
    let dir = std::env::temp_dir().join(format!("distsim-render-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = Plot::new("p").line("s", vec![(0.0, 1.0), (1.0, 2.0)]);
    plot.save_svg(dir.join("p.svg")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("p.svg")).unwrap(), plot.to_svg().unwrap());
    assert!(matches!(plot.save_svg(dir.join("no/such/dir.svg")), Err(Error::Io { .. })));
    // A plot with bad data fails before touching the file system.
    assert!(matches!(Plot::new("p").save_svg(dir.join("q.svg")), Err(Error::Empty { .. })));
    assert!(!dir.join("q.svg").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
