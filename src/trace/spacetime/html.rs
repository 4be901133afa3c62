//! The interactive HTML form of a space-time diagram.
//!
//! One fragment, self-contained: a `<div class="distsim-st">` holding
//!
//! 1. the static SVG, visible as it is: where scripts do not run (an untrusted notebook, GitHub,
//!    a scripts-off viewer) this is what the reader sees;
//! 2. the controls and a canvas, `hidden` until the script shows them;
//! 3. the data as JSON in a `<script type="application/json">` (not executed), and
//! 4. the script (`spacetime.js`), which finds its own diagram from `document.currentScript`,
//!    hides the static SVG and draws the data.
//!
//! The fragment's id is derived from its content, so identical input gives identical bytes; the
//! script renames a diagram whose id is already on the page, so that two displays of one diagram
//! still get distinct ids. The script keeps all its state in a closure and finds its elements
//! inside its own diagram only, so several diagrams on one page never interfere.

use super::data;
use super::SpaceTime;
use crate::render::escape_html;

/// The script that draws the data (plain ES2017, no dependencies).
const SCRIPT: &str = include_str!("spacetime.js");

const STYLE: &str = "\
.distsim-st{font-family:sans-serif;font-size:12px;color:#222;position:relative;max-width:100%;overflow-x:auto}\
.distsim-st .dst-bar{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:4px 0}\
.distsim-st .dst-bar input[type=range]{flex:1 1 240px}\
.distsim-st .dst-bar button{font-size:12px;padding:1px 6px}\
.distsim-st .dst-status{font-family:monospace;white-space:pre;min-height:1.3em}\
.distsim-st canvas{display:block;cursor:crosshair}\
.distsim-st .dst-tip{position:absolute;z-index:10;background:#fffbe6;border:1px solid #c9b458;padding:4px 6px;\
font-family:monospace;font-size:11px;white-space:pre;pointer-events:none;max-width:640px;overflow:hidden}\
.distsim-st .dst-caption{color:#555;margin-top:2px}";

/// The fragment for `st`.
pub(super) fn render(st: &SpaceTime) -> String {
    let data = data::build(st);
    // `<` only occurs inside JSON strings, where `\u003c` means the same: so no `</script>` or
    // `<!--` in a label can end the data block early.
    let json =
        serde_json::to_string(&data).expect("the diagram data is plain numbers and strings").replace('<', "\\u003c");
    let id = format!("distsim-st-{:016x}", fnv1a(json.as_bytes()));
    let events = data.agg.as_ref().map_or(data.ev.len() / data::EVENT_FIELDS, |a| a.events);
    let caption = escape_html(&data.caption);
    format!(
        concat!(
            "<div class=\"distsim-st\" id=\"{id}\" data-events=\"{events}\">\n",
            "<style>{style}</style>\n",
            "<div class=\"dst-static\">\n{svg}</div>\n",
            "<div class=\"dst-live\" hidden>\n",
            "<div class=\"dst-bar\"><button type=\"button\" class=\"dst-prev\" title=\"previous event\">&#9664; prev</button>",
            "<input type=\"range\" class=\"dst-scrub\" min=\"0\" value=\"0\" aria-label=\"time scrubber\">",
            "<button type=\"button\" class=\"dst-next\" title=\"next event\">next &#9654;</button>",
            "<button type=\"button\" class=\"dst-reset\" title=\"show the whole run and every node\">whole run</button></div>\n",
            "<div class=\"dst-status\"></div>\n",
            "<canvas class=\"dst-canvas\"></canvas>\n",
            "<div class=\"dst-tip\" hidden></div>\n",
            "{marks}",
            "<div class=\"dst-caption\">{caption}. Drag across the plot to zoom; click a node's name to show only its events; \
             hover or click a message for its details.</div>\n",
            "</div>\n",
            "<script type=\"application/json\" class=\"dst-data\">{json}</script>\n",
            "<script>{script}</script>\n",
            "</div>\n"
        ),
        id = id,
        events = events,
        style = STYLE,
        svg = st.to_svg(),
        caption = caption,
        marks = marks(&data.hl),
        json = json,
        script = SCRIPT,
    )
}

/// The highlighted events' notes, numbered when several (the rings on the canvas carry the numbers).
fn marks(hl: &[(usize, String)]) -> String {
    if hl.is_empty() {
        return String::new();
    }
    let items: Vec<String> = hl
        .iter()
        .enumerate()
        .map(|(k, (_, note))| {
            let number = if hl.len() > 1 { format!("{}. ", k + 1) } else { String::new() };
            format!("<div>{number}{}</div>", escape_html(note))
        })
        .collect();
    format!("<div class=\"dst-marks\" style=\"color:#d62728\">{}</div>\n", items.concat())
}

/// FNV-1a over bytes: a short, stable content hash for the fragment's id.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(crate::trace::FNV_OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(crate::trace::FNV_PRIME))
}
