//! The Two Generals: why no finite exchange of messages over a lossy channel can guarantee agreement.
//!
//! Two armies sit on hills on either side of a valley. They win only if both attack; an army that
//! attacks alone is lost. Their only channel is a messenger who must cross the valley, and each
//! messenger is captured with probability `capture`.
//!
//! The model plays an *acknowledgement chain* of `depth` messages: general A sends the plan, B
//! acknowledges it, A acknowledges the acknowledgement, and so on, alternating. Every hop of the
//! chain is carried by `messengers` copies sent together; the hop gets through if at least one copy
//! does. The chain stops at the first hop that does not get through, because the next sender is
//! waiting for something that never comes. Each general follows the cautious rule: *attack only if
//! every message addressed to me arrived*. (A, with `depth = 1`, expects nothing and always attacks.)
//!
//! With `q = 1 - capture^messengers` the chance that one hop gets through:
//! * both attack exactly when all `depth` hops arrive: `q^depth`;
//! * one attacks alone exactly when everything but the **last** hop arrives: `q^(depth-1) (1-q)`;
//! * otherwise neither attacks.
//!
//! More messengers make each hop likelier to arrive, and a deeper chain makes a lone attack rarer,
//! but the lone-attack probability never reaches zero: whoever sends the last message cannot tell
//! whether it arrived. [`enumerate`] makes this concrete by listing every pattern of captured
//! messengers of a small protocol and returning the executions in which one general attacks alone.
//! If we tried to "fix" such an execution by dropping the last message, the second-to-last message
//! would become the last one, and the same argument applies again, all the way down to no message.
//!
//! ```
//! use distsim::concepts::two_generals::{self, enumerate};
//! use distsim::experiment::Experiment;
//! let r = two_generals::Config { capture: 0.3, messengers: 4, ..Default::default() }.run(7)?;
//! assert!(r.coordinated.contains(r.config.exact_coordinated())); // simulation vs exact
//! let every = enumerate(&two_generals::Config { messengers: 2, depth: 3, ..Default::default() })?;
//! assert!(!every.witnesses().is_empty()); // someone attacks alone in some execution
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::experiment::{Experiment, ParamValue, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::rng::{stream, Stream};
use crate::stats::{self, Estimate};
use rand::Rng;

/// The random stream used for messenger captures.
const CAPTURE_STREAM: Stream = Stream::named("two_generals/capture", 0);

/// How a Two Generals experiment is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Probability that one messenger is captured while crossing the valley, in `[0, 1]`.
    pub capture: f64,
    /// Messengers sent together for every hop of the chain, in `[1, 64]`.
    pub messengers: usize,
    /// Messages in the acknowledgement chain (1 = plan only, 2 = plan + ack, ...), in `[1, 64]`.
    pub depth: usize,
    /// Simulated battles, in `[1, 100_000_000]`.
    pub trials: u64,
}

crate::parameters!(Config {
    capture: Range::Probability => "probability that one messenger is captured",
    messengers: Range::count(1, 64) => "messengers sent together for every hop",
    depth: Range::count(1, 64) => "messages in the acknowledgement chain",
    trials: Range::count(1, 100_000_000) => "simulated battles",
});

impl Default for Config {
    /// One messenger per hop, a plan plus its acknowledgement, a 30% capture risk.
    fn default() -> Self {
        Config { capture: 0.3, messengers: 1, depth: 2, trials: 10_000 }
    }
}

/// What happened in one battle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Both generals attacked: victory.
    BothAttack,
    /// Neither attacked: no victory, but no disaster.
    NeitherAttacks,
    /// General A attacked alone.
    AAlone,
    /// General B attacked alone.
    BAlone,
}

impl Outcome {
    /// A short label for tables and plots.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::BothAttack => "both attack",
            Outcome::NeitherAttacks => "neither attacks",
            Outcome::AAlone => "A attacks alone",
            Outcome::BAlone => "B attacks alone",
        }
    }
}

/// The outcome when the first `delivered` hops of a `depth`-hop chain arrived.
///
/// Hop `i` (1-based) is sent by A when `i` is odd and by B when it is even; a general attacks when
/// the chain got at least as far as the last hop addressed to it.
pub fn outcome_of(depth: usize, delivered: usize) -> Outcome {
    let last_to = |odd: bool| (1..=depth).rev().find(|i| (i % 2 == 1) == odd).unwrap_or(0);
    let a_attacks = delivered >= last_to(false); // A receives the even hops
    let b_attacks = delivered >= last_to(true); // B receives the odd hops
    match (a_attacks, b_attacks) {
        (true, true) => Outcome::BothAttack,
        (false, false) => Outcome::NeitherAttacks,
        (true, false) => Outcome::AAlone,
        (false, true) => Outcome::BAlone,
    }
}

impl Config {
    /// Probability that one hop gets through: at least one of its messengers is not captured.
    pub fn hop_success(&self) -> f64 {
        1.0 - self.capture.powi(self.messengers as i32)
    }

    /// Exact probability that both generals attack: `q^depth`.
    pub fn exact_coordinated(&self) -> f64 {
        self.hop_success().powi(self.depth as i32)
    }

    /// Exact probability that one general attacks alone: only the last hop was lost.
    pub fn exact_alone(&self) -> f64 {
        let q = self.hop_success();
        q.powi(self.depth as i32 - 1) * (1.0 - q)
    }

    /// Exact probability of each outcome, in [`Outcome`] order.
    pub fn exact(&self, outcome: Outcome) -> f64 {
        let alone = self.exact_alone();
        let lone_is_a = outcome_of(self.depth, self.depth - 1) == Outcome::AAlone;
        match outcome {
            Outcome::BothAttack => self.exact_coordinated(),
            Outcome::NeitherAttacks => 1.0 - self.exact_coordinated() - alone,
            Outcome::AAlone => {
                if lone_is_a {
                    alone
                } else {
                    0.0
                }
            }
            Outcome::BAlone => {
                if lone_is_a {
                    0.0
                } else {
                    alone
                }
            }
        }
    }
}

impl Experiment for Config {
    type Output = TwoGeneralsResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Plays `trials` battles, capturing each messenger independently.
    fn run(&self, seed: u64) -> Result<TwoGeneralsResult> {
        self.validate()?;
        let mut rng = stream(seed, CAPTURE_STREAM);
        let mut counts = [0u64; 4];
        let mut checkpoint = crate::cancel::Checkpoint::every(4096);
        for _ in 0..self.trials {
            checkpoint.tick()?;
            let mut delivered = 0;
            while delivered < self.depth {
                // Every messenger of the hop is drawn, so the stream advances the same way
                // whichever copy gets through.
                let captured = (0..self.messengers).filter(|_| rng.random_bool(self.capture)).count();
                if captured == self.messengers {
                    break;
                }
                delivered += 1;
            }
            counts[outcome_of(self.depth, delivered) as usize] += 1;
        }
        let coordinated = stats::proportion_ci95(counts[0], self.trials)?;
        Ok(TwoGeneralsResult { config: self.clone(), seed, counts, coordinated })
    }
}

/// The tally of a Two Generals run, with the exact probabilities beside it.
#[derive(Debug, Clone)]
pub struct TwoGeneralsResult {
    /// The experiment that was run.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Battles per outcome, indexed in [`Outcome`] order (both, neither, A alone, B alone).
    pub counts: [u64; 4],
    /// The simulated probability of a coordinated attack, with its 95% confidence interval.
    pub coordinated: Estimate,
}

const OUTCOMES: [Outcome; 4] = [Outcome::BothAttack, Outcome::NeitherAttacks, Outcome::AAlone, Outcome::BAlone];

impl TwoGeneralsResult {
    /// Battles that ended with `outcome`.
    pub fn count(&self, outcome: Outcome) -> u64 {
        self.counts[outcome as usize]
    }

    /// Simulated vs exact probability of every outcome, with a 95% confidence interval.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t =
            Table::new(["outcome", "battles", "simulated", "95% CI low", "95% CI high", "exact"]).title(format!(
                "Two Generals: capture {}, {} messenger(s) per hop, chain of {} message(s), {} battles",
                c.capture, c.messengers, c.depth, c.trials
            ));
        for o in OUTCOMES {
            let est = stats::proportion_ci95(self.count(o), c.trials).expect("trials >= 1");
            let row = vec![
                o.label().into(),
                self.count(o).into(),
                est.mean.into(),
                est.lo.into(),
                est.hi.into(),
                c.exact(o).into(),
            ];
            t.row(row).expect("row has the table's width");
        }
        t
    }

    /// Bars of simulated vs exact outcome probabilities.
    pub fn plot(&self) -> Plot {
        let bars =
            |f: &dyn Fn(Outcome) -> f64| OUTCOMES.iter().map(|&o| (o.label().to_string(), f(o))).collect::<Vec<_>>();
        let n = self.config.trials as f64;
        Plot::new("Two Generals: how battles end")
            .y_label("probability")
            .bar("simulated", bars(&|o| self.count(o) as f64 / n))
            .bar("exact", bars(&|o| self.config.exact(o)))
    }
}

impl Render for TwoGeneralsResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(TwoGeneralsResult);

impl Report for TwoGeneralsResult {
    /// `coordinated` (both attack), `alone` (one attacks alone) and `neither`, as fractions of
    /// the battles.
    fn measures(&self) -> Vec<(String, f64)> {
        let n = self.config.trials as f64;
        let share = |o: Outcome| self.count(o) as f64 / n;
        vec![
            ("coordinated".into(), share(Outcome::BothAttack)),
            ("alone".into(), share(Outcome::AAlone) + share(Outcome::BAlone)),
            ("neither".into(), share(Outcome::NeitherAttacks)),
        ]
    }
    fn table(&self) -> Table {
        TwoGeneralsResult::table(self)
    }
    fn plot(&self) -> Plot {
        TwoGeneralsResult::plot(self)
    }
}

/// P(coordinated attack) simulated vs exact as one parameter varies.
#[derive(Debug, Clone)]
pub struct CoordinationCurve {
    /// What varies (`"capture"`, `"messengers"`, `"depth"`).
    pub parameter: String,
    /// `(value, exact, simulated with CI)` per point.
    pub points: Vec<(f64, f64, Estimate)>,
}

impl CoordinationCurve {
    /// One row per point: the parameter, the exact and the simulated probability with its CI.
    pub fn table(&self) -> Table {
        let mut t = Table::new([self.parameter.as_str(), "exact", "simulated", "95% CI low", "95% CI high"])
            .title(format!("P(coordinated attack) vs {}", self.parameter));
        for (x, exact, est) in &self.points {
            let row: Vec<Value> = vec![(*x).into(), (*exact).into(), est.mean.into(), est.lo.into(), est.hi.into()];
            t.row(row).expect("row has the table's width");
        }
        t
    }

    /// The exact curve with the simulated points and their 95% error bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("P(coordinated attack) vs {}", self.parameter))
            .x_label(self.parameter.clone())
            .y_label("P(both attack)")
            .line("exact", self.points.iter().map(|(x, e, _)| (*x, *e)).collect())
            .error_bars("simulated (95% CI)", self.points.iter().map(|(x, _, s)| (*x, s.mean, s.lo, s.hi)).collect())
    }
}

impl Render for CoordinationCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(CoordinationCurve);

impl Config {
    /// P(coordinated attack) against parameter `name` (`"capture"`, `"messengers"`, `"depth"`),
    /// simulated over `seeds` by [`Experiment::sweep`], with the exact curve beside it.
    pub fn vs<V: Into<ParamValue> + Clone>(
        &self,
        name: &str,
        values: &[V],
        seeds: impl IntoIterator<Item = u64>,
    ) -> Result<CoordinationCurve> {
        let sweep = self.sweep(name, values, seeds)?;
        let simulated = sweep.estimates("coordinated")?;
        let mut points = Vec::with_capacity(simulated.len());
        for (value, est) in sweep.values().into_iter().zip(simulated) {
            let x = value.as_f64().ok_or_else(|| Error::invalid(name, &value, "a numeric parameter"))?;
            points.push((x, self.with(name, value)?.exact_coordinated(), est));
        }
        Ok(CoordinationCurve { parameter: name.to_string(), points })
    }
}

mod enumerate;
pub use enumerate::{enumerate, Enumeration, Execution};
