//! The kernel line protocol (DISTSIM_KERNEL=1): one compact JSON line per display message.
//! Every test here sets DISTSIM_KERNEL=1, so they agree with each other when run in parallel.

use distsim::prelude::*;
use distsim::render::capture;

fn kernel_mode() {
    std::env::set_var("DISTSIM_KERNEL", "1");
}

fn parse(line: &str, prefix: &str) -> serde_json::Value {
    serde_json::from_str(line.strip_prefix(prefix).unwrap_or_else(|| panic!("{line}"))).unwrap()
}

#[test]
fn display_prints_one_json_line_per_value() {
    kernel_mode();
    let table = Table::new(["a"]).with_row(vec!["x\ny".into()]).unwrap();
    let ((), out) = capture(|| {
        display(&table);
        clear_output(true);
        display(&Plot::new("p").line("s", vec![(0.0, 1.0), (1.0, 2.0)]));
    });
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let first = parse(lines[0], "DISTSIM_DISPLAY ");
    assert_eq!(first["data"]["text/plain"], table.to_text());
    assert_eq!(first["data"]["text/html"], table.to_html());
    assert_eq!(first["display_id"], serde_json::Value::Null);
    assert_eq!(first["update"], false);
    assert_eq!(parse(lines[1], "DISTSIM_CLEAR_OUTPUT "), serde_json::json!({"wait": true}));
    let third = parse(lines[2], "DISTSIM_DISPLAY ");
    assert!(third["data"]["image/svg+xml"].as_str().unwrap().starts_with("<svg"));
}

#[test]
fn display_handles_show_then_update_under_one_id() {
    kernel_mode();
    let (handle, out) = capture(|| {
        let h = display_updatable(&MimeBundle::text("v1"));
        h.update(&MimeBundle::text("v2"));
        h
    });
    let lines: Vec<serde_json::Value> = out.lines().map(|l| parse(l, "DISTSIM_DISPLAY ")).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["display_id"], handle.id());
    assert_eq!(lines[0]["update"], false);
    assert_eq!(lines[1]["display_id"], handle.id());
    assert_eq!(lines[1]["update"], true);
    assert_eq!(lines[1]["data"]["text/plain"], "v2");
}

#[test]
fn sweep_draws_a_progress_bar_in_the_kernel() {
    kernel_mode();
    let (result, out) = capture(|| Sweep::new(vec![1.0, 2.0]).seeds(0..50).run(|p, s| Ok(p * s as f64)));
    result.unwrap();
    let lines: Vec<serde_json::Value> = out.lines().map(|l| parse(l, "DISTSIM_DISPLAY ")).collect();
    assert!(lines.len() >= 2, "{out}");
    let id = lines[0]["display_id"].clone();
    assert!(id.is_string());
    assert!(lines.iter().all(|l| l["display_id"] == id));
    assert_eq!(lines[0]["update"], false);
    let last = lines.last().unwrap();
    assert_eq!(last["update"], true);
    assert!(last["data"]["text/plain"].as_str().unwrap().contains("100/100 (100%)"), "{last}");
}

#[test]
fn a_failed_sweep_leaves_its_true_count_not_100_percent() {
    kernel_mode();
    let (result, out) = capture(|| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        pool.install(|| {
            Sweep::new(vec![0, 1])
                .seeds(0..10)
                .run(|p, s| if *p == 0 && s == 3 { Err(Error::empty("x")) } else { Ok(1.0) })
        })
    });
    assert!(result.is_err());
    let last = out.lines().last().map(|l| parse(l, "DISTSIM_DISPLAY ")).unwrap();
    let text = last["data"]["text/plain"].as_str().unwrap().to_string();
    assert!(text.starts_with("sweep: 2 points × 10 seeds") && text.contains("4/20"), "{text}");
}

#[test]
fn sweep_with_a_callback_draws_no_bar() {
    kernel_mode();
    let (result, out) = capture(|| Sweep::new(vec![1]).seeds(0..5).on_progress(Box::new(|_| {})).run(|_, _| Ok(0.0)));
    result.unwrap();
    assert_eq!(out, "");
}
