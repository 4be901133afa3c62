//! Space-time (Lamport) diagrams of a trace: SVG and text. (Filled in by the rendering work.)
