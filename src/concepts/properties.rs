//! The six properties a distributed system is asked to have, as one framework.
//!
//! The chapter names six things a well-built distributed system should be. Each notebook of the
//! course measures one or two of them; [`Property`] names them once, with the question each one
//! asks, so that every later experiment (and the design review of notebook 15) can say which one
//! it is about.
//!
//! | property | the question it asks | where the course measures it |
//! |---|---|---|
//! | fault-tolerant | after a failure, is every acknowledged piece of data still there, and correct? | 02, 03, 07, 14, 15 |
//! | highly available | is the service answering right now, whatever has failed? | 06, 07, 15 |
//! | consistent | does every reader see the same, latest value? | 08, 09, 11, 13 |
//! | scalable | does twice the hardware carry twice the load? | 10 |
//! | predictable | does (almost) every request finish within its budget? | 09, 12 |
//! | secure | can someone on the network forge, read or replay what we send? | 05 |
//!
//! Two of them are easy to confuse. *Fault-tolerant* is about what survives a failure; *highly
//! available* is about whether the service answers during one. A system can have either without
//! the other, and [`repair_or_failover::Config`] measures that: a server that never loses a write
//! but is down while it is repaired, against one that fails over in seconds but loses the writes its
//! backup had not yet received.
//!
//! [`Scorecard`] is the design review's table: one row per property, the design choice, the
//! number that judges it, read by name from an experiment's [`Report::measures`] (so the number
//! is computed, never typed in), and what the choice costs.
//!
//! ```
//! use distsim::concepts::properties::{repair_or_failover, Property, Scorecard};
//! use distsim::experiment::Experiment;
//! let run = repair_or_failover::Config::default().run(1)?;
//! let mut card = Scorecard::new("Review");
//! let nines = card.row(Property::HighlyAvailable, "fail over to an async backup", &run, "async_nines", "a backup machine")?;
//! assert!(nines > 4.0);
//! assert!(card.row(Property::Secure, "none", &run, "no_such_measure", "").is_err());
//! # Ok::<(), distsim::Error>(())
//! ```

pub mod repair_or_failover;

use crate::error::{Error, Result};
use crate::experiment::Report;
use crate::render::{MimeBundle, Render, Table};

/// One of the six properties the chapter asks of a distributed system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// Acknowledged data survives failures, and results stay correct.
    FaultTolerant,
    /// The service answers, even while parts of it have failed.
    HighlyAvailable,
    /// Every reader sees the same, latest value.
    Consistent,
    /// More machines carry proportionally more load.
    Scalable,
    /// Response times stay within a budget, tails included.
    Predictable,
    /// Nobody on the network can forge, read or replay messages.
    Secure,
}

impl Property {
    /// All six, in the chapter's order.
    pub const ALL: [Property; 6] = [
        Property::FaultTolerant,
        Property::HighlyAvailable,
        Property::Consistent,
        Property::Scalable,
        Property::Predictable,
        Property::Secure,
    ];

    /// The property's name, as the chapter writes it.
    pub fn name(self) -> &'static str {
        match self {
            Property::FaultTolerant => "fault-tolerant",
            Property::HighlyAvailable => "highly available",
            Property::Consistent => "consistent",
            Property::Scalable => "scalable",
            Property::Predictable => "predictable",
            Property::Secure => "secure",
        }
    }

    /// The question that tests it.
    pub fn question(self) -> &'static str {
        match self {
            Property::FaultTolerant => "after a failure, is every acknowledged piece of data still there, and correct?",
            Property::HighlyAvailable => "is the service answering right now, whatever has failed?",
            Property::Consistent => "does every reader see the same, latest value?",
            Property::Scalable => "does twice the hardware carry twice the load?",
            Property::Predictable => "does (almost) every request finish within its budget?",
            Property::Secure => "can someone on the network forge, read or replay what we send?",
        }
    }

    /// The notebooks of the course that measure it.
    pub fn notebooks(self) -> &'static str {
        match self {
            Property::FaultTolerant => "02, 03, 07, 14, 15",
            Property::HighlyAvailable => "06, 07, 15",
            Property::Consistent => "08, 09, 11, 13",
            Property::Scalable => "10",
            Property::Predictable => "09, 12",
            Property::Secure => "05",
        }
    }

    /// The six as a table: name, question, notebooks.
    pub fn table() -> Table {
        let mut t = Table::new(["property", "the question it asks", "measured in notebooks"])
            .title("Six properties of a distributed system");
        for p in Property::ALL {
            t.row(vec![p.name().into(), p.question().into(), p.notebooks().into()]).expect("three columns");
        }
        t
    }
}

/// A measure of `report` by name; the error lists the names it has.
pub fn measure(report: &impl Report, name: &str) -> Result<f64> {
    let measures = report.measures();
    measures.iter().find(|(n, _)| n == name).map(|&(_, v)| v).ok_or_else(|| {
        let names: Vec<&str> = measures.iter().map(|(n, _)| n.as_str()).collect();
        Error::invalid("measure", name, format!("one of the report's measures: {}", names.join(", ")))
    })
}

/// A design review: per property, the choice made, the number that judges it (read from an
/// experiment's measures) and what the choice costs.
#[derive(Debug, Clone)]
pub struct Scorecard {
    table: Table,
}

impl Scorecard {
    /// An empty scorecard.
    pub fn new(title: impl Into<String>) -> Scorecard {
        let columns = ["property", "choice", "measure", "value", "what it costs"];
        Scorecard { table: Table::new(columns).title(title) }
    }

    /// Adds a row whose value is `report`'s measure `name`, and returns that value.
    pub fn row(
        &mut self,
        property: Property,
        choice: &str,
        report: &impl Report,
        name: &str,
        cost: &str,
    ) -> Result<f64> {
        let value = measure(report, name)?;
        self.add(property, choice, name, value, cost)?;
        Ok(value)
    }

    /// Adds a row with a value derived from measures (say which in `name`, e.g. "nines of 1 - hours / 8760").
    pub fn add(&mut self, property: Property, choice: &str, name: &str, value: f64, cost: &str) -> Result<()> {
        if !value.is_finite() {
            return Err(Error::invalid(format!("value of {name}"), value, "a finite number"));
        }
        self.table.row(vec![property.name().into(), choice.into(), name.into(), value.into(), cost.into()])
    }

    /// The properties that have no row yet: a review is complete when this is empty.
    pub fn missing(&self) -> Vec<Property> {
        let named: Vec<String> = self.table.rows().iter().map(|r| r[0].to_string()).collect();
        Property::ALL.into_iter().filter(|p| !named.iter().any(|n| n == p.name())).collect()
    }

    /// The scorecard as a table.
    pub fn table(&self) -> Table {
        self.table.clone()
    }
}

impl Render for Scorecard {
    fn mime_bundle(&self) -> MimeBundle {
        self.table.mime_bundle()
    }
}
crate::impl_evcxr_display!(Scorecard);
