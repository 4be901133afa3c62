//! The widget models this kernel creates: their ipywidgets 8 model and view names and module
//! versions (widget protocol 2.1), and the style model each one pairs with.

use crate::comm::Data;
use serde_json::{json, Value};

/// `@jupyter-widgets/controls` at ipywidgets 8.
pub const CONTROLS: (&str, &str) = ("@jupyter-widgets/controls", "2.0.0");
/// `@jupyter-widgets/base` (Layout, StyleView) at ipywidgets 8.
pub const BASE: (&str, &str) = ("@jupyter-widgets/base", "2.0.0");
/// `@jupyter-widgets/output` at ipywidgets 8.
pub const OUTPUT: (&str, &str) = ("@jupyter-widgets/output", "1.0.0");

/// A widget a notebook can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    IntSlider,
    FloatSlider,
    FloatLogSlider,
    Dropdown,
    Checkbox,
    ToggleButtons,
    Button,
    Play,
    HBox,
    VBox,
    Output,
    Html,
    /// ipywidgets' `jslink`: keeps two models' attributes equal in the browser; not a view.
    Link,
}

impl Kind {
    /// The kinds a library request may name (a Link is made by the kernel, for a box's links).
    pub const ALL: [Kind; 12] = [
        Kind::IntSlider,
        Kind::FloatSlider,
        Kind::FloatLogSlider,
        Kind::Dropdown,
        Kind::Checkbox,
        Kind::ToggleButtons,
        Kind::Button,
        Kind::Play,
        Kind::HBox,
        Kind::VBox,
        Kind::Output,
        Kind::Html,
    ];

    /// The ipywidgets class name (`IntSlider`), as the library names a widget it asks for.
    pub fn name(self) -> &'static str {
        match self {
            Kind::IntSlider => "IntSlider",
            Kind::FloatSlider => "FloatSlider",
            Kind::FloatLogSlider => "FloatLogSlider",
            Kind::Dropdown => "Dropdown",
            Kind::Checkbox => "Checkbox",
            Kind::ToggleButtons => "ToggleButtons",
            Kind::Button => "Button",
            Kind::Play => "Play",
            Kind::HBox => "HBox",
            Kind::VBox => "VBox",
            Kind::Output => "Output",
            Kind::Html => "HTML",
            Kind::Link => "Link",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn module(self) -> (&'static str, &'static str) {
        match self {
            Kind::Output => OUTPUT,
            _ => CONTROLS,
        }
    }

    /// The style model that goes with it; boxes and Output have none.
    pub fn style_model(self) -> Option<&'static str> {
        match self {
            Kind::IntSlider | Kind::FloatSlider | Kind::FloatLogSlider => Some("SliderStyleModel"),
            Kind::Dropdown | Kind::Play => Some("DescriptionStyleModel"),
            Kind::Checkbox => Some("CheckboxStyleModel"),
            Kind::ToggleButtons => Some("ToggleButtonsStyleModel"),
            Kind::Button => Some("ButtonStyleModel"),
            Kind::Html => Some("HTMLStyleModel"),
            Kind::HBox | Kind::VBox | Kind::Output | Kind::Link => None,
        }
    }

    /// The six keys that tell a front end which model and view to build; set once, never changed.
    pub fn identity(self) -> Data {
        let (module, version) = self.module();
        if self == Kind::Link {
            let mut state = identity("LinkModel", (module, version), "", (module, version));
            state.insert("_view_name".into(), Value::Null);
            return state;
        }
        identity(
            &format!("{}Model", self.name()),
            (module, version),
            &format!("{}View", self.name()),
            (module, version),
        )
    }
}

/// The identity keys of any model.
pub fn identity(model: &str, model_module: (&str, &str), view: &str, view_module: (&str, &str)) -> Data {
    let state = json!({
        "_model_name": model,
        "_model_module": model_module.0,
        "_model_module_version": model_module.1,
        "_view_name": view,
        "_view_module": view_module.0,
        "_view_module_version": view_module.1,
    });
    match state {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    }
}

/// The Layout every DOM widget refers to.
pub fn layout() -> Data {
    identity("LayoutModel", BASE, "LayoutView", BASE)
}

/// A style model of the controls module, shown by the base StyleView.
pub fn style(model: &str) -> Data {
    identity(model, CONTROLS, "StyleView", BASE)
}

/// The keys a front end may not change: a model's identity.
pub fn is_identity_key(key: &str) -> bool {
    matches!(
        key,
        "_model_name"
            | "_model_module"
            | "_model_module_version"
            | "_view_name"
            | "_view_module"
            | "_view_module_version"
    )
}
