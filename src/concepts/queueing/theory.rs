//! Closed forms for the M/M/1 and M/M/c queues.

use crate::error::{Error, Result};
use crate::validate;

/// Erlang C: the probability that an arriving request must wait, with `servers` servers and offered
/// load `a = λ/μ` (in erlangs). Computed through the Erlang B recursion, which never overflows.
pub fn erlang_c(servers: usize, offered_load: f64) -> Result<f64> {
    validate::at_least("servers", servers, 1)?;
    validate::positive("offered_load", offered_load)?;
    let rho = offered_load / servers as f64;
    if rho >= 1.0 {
        return Err(Error::invalid("offered_load", offered_load, format!("< servers = {servers} for a stable queue")));
    }
    let mut b = 1.0; // Erlang B with zero servers
    for k in 1..=servers {
        b = offered_load * b / (k as f64 + offered_load * b);
    }
    Ok(b / (1.0 - rho * (1.0 - b)))
}

/// M/M/1 mean time in system, `1/(μ − λ)`, in seconds.
pub fn mm1_mean_latency(arrival_rate: f64, service_rate: f64) -> Result<f64> {
    Ok(MmcTheory::new(arrival_rate, service_rate, 1)?.mean_latency)
}

/// Everything the M/M/c formulas predict for one queue. Times are in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct MmcTheory {
    /// λ, per second.
    pub arrival_rate: f64,
    /// μ of one server, per second.
    pub service_rate: f64,
    /// c.
    pub servers: usize,
    /// ρ = λ/(cμ).
    pub utilisation: f64,
    /// Erlang C: P(an arrival waits).
    pub wait_probability: f64,
    /// Mean time in the queue before service, Wq.
    pub mean_wait: f64,
    /// Mean time in the system, W = Wq + 1/μ.
    pub mean_latency: f64,
    /// Mean number in the system, L = λW.
    pub mean_in_system: f64,
}

impl MmcTheory {
    /// The formulas for λ, μ, c; refuses an unstable queue.
    pub fn new(arrival_rate: f64, service_rate: f64, servers: usize) -> Result<Self> {
        validate::positive("arrival_rate", arrival_rate)?;
        validate::positive("service_rate", service_rate)?;
        let wait_probability = erlang_c(servers, arrival_rate / service_rate).map_err(|_| {
            Error::invalid(
                "arrival_rate",
                arrival_rate,
                format!("< servers × service_rate = {}", servers as f64 * service_rate),
            )
        })?;
        let drain = servers as f64 * service_rate - arrival_rate;
        let mean_wait = wait_probability / drain;
        let mean_latency = mean_wait + 1.0 / service_rate;
        Ok(MmcTheory {
            arrival_rate,
            service_rate,
            servers,
            utilisation: arrival_rate / (servers as f64 * service_rate),
            wait_probability,
            mean_wait,
            mean_latency,
            mean_in_system: arrival_rate * mean_latency,
        })
    }

    /// P(latency > t). The wait is 0 with probability 1 − C, else exponential with rate θ = cμ − λ;
    /// the service adds an independent exponential with rate μ. The sum of two exponentials has a
    /// closed-form tail (a special case when the rates coincide).
    pub fn latency_survival(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        let (mu, c) = (self.service_rate, self.wait_probability);
        let theta = self.servers as f64 * mu - self.arrival_rate;
        let both = if (mu - theta).abs() < 1e-9 * mu {
            (1.0 + mu * t) * (-mu * t).exp()
        } else {
            (mu * (-theta * t).exp() - theta * (-mu * t).exp()) / (mu - theta)
        };
        (1.0 - c) * (-mu * t).exp() + c * both
    }

    /// The quantile `q` of the time spent *waiting* before service, in seconds. The wait is 0 with
    /// probability `1 − C` and otherwise exponential with rate `θ = cμ − λ`, so its quantile is 0
    /// while `1 − q ≥ C` and `ln(C / (1 − q)) / θ` beyond. With many servers `C` is small at
    /// moderate load: the p99 of the wait leaves zero long before the median does.
    pub fn wait_quantile(&self, q: f64) -> f64 {
        let beyond = 1.0 - q.clamp(0.0, 1.0 - 1e-12);
        if beyond >= self.wait_probability {
            return 0.0;
        }
        let theta = self.servers as f64 * self.service_rate - self.arrival_rate;
        (self.wait_probability / beyond).ln() / theta
    }

    /// The latency quantile `q` in seconds, by bisection on [`MmcTheory::latency_survival`]
    /// (exact for M/M/1: `−ln(1 − q)/(μ − λ)`).
    pub fn latency_quantile(&self, q: f64) -> f64 {
        let target = 1.0 - q.clamp(0.0, 1.0 - 1e-12);
        let (mut lo, mut hi) = (0.0, 1.0 / self.service_rate);
        while self.latency_survival(hi) > target {
            hi *= 2.0;
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.latency_survival(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mm1_quantile_matches_exponential_closed_form() {
        let th = MmcTheory::new(800.0, 1000.0, 1).unwrap();
        assert!((th.mean_latency - 0.005).abs() < 1e-12);
        let exact = -(0.01f64).ln() / 200.0;
        assert!((th.latency_quantile(0.99) - exact).abs() < 1e-9);
    }

    #[test]
    fn wait_quantile_is_zero_until_the_wait_probability_then_exponential() {
        // M/M/1 at 80%: C = ρ = 0.8, θ = 200/s. The median waits ln(0.8/0.5)/200 s; p10 does not wait.
        let th = MmcTheory::new(800.0, 1000.0, 1).unwrap();
        assert!((th.wait_probability - 0.8).abs() < 1e-12);
        assert_eq!(th.wait_quantile(0.1), 0.0);
        assert!((th.wait_quantile(0.5) - (0.8f64 / 0.5).ln() / 200.0).abs() < 1e-12);
        // The wait quantile agrees with the latency tail: P(wait > t) = C·e^(−θt) at the quantile.
        let many = MmcTheory::new(11_200.0, 1000.0, 16).unwrap();
        let t = many.wait_quantile(0.99);
        assert!(t > 0.0 && many.wait_quantile(0.5) == 0.0, "16 servers at 70%: {t}, C = {}", many.wait_probability);
        assert!((many.wait_probability * (-(16_000.0 - 11_200.0) * t).exp() - 0.01).abs() < 1e-12);
    }

    #[test]
    fn erlang_c_known_value() {
        // Two servers, offered load 1 erlang: C = 1/3.
        assert!((erlang_c(2, 1.0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!(erlang_c(2, 2.0).is_err());
    }
}
