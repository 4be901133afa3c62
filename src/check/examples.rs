//! Protocols written as ordinary nodes and checked in the course.

pub mod abd;
pub mod two_generals;
