//! Named sites (data centers) and the physics floor under their latency.
//!
//! No engineering beats the speed of light. In optical fiber light travels at about two thirds of
//! its speed in vacuum (the glass's refractive index is about 1.5), so the round trip between two
//! data centers can never be shorter than `2 · distance / (2/3 · c)`, where `distance` is the
//! great-circle distance. Real round trips are longer still: cables do not follow great circles,
//! and routers and queues add their share. [`SiteMatrix::rtt_floor`] is that lower bound.

use crate::error::{Error, Result};
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// Mean Earth radius in kilometres (IUGG).
pub const EARTH_RADIUS_KM: f64 = 6371.0;
/// The speed of light in vacuum, km/s.
pub const LIGHT_KM_PER_SEC: f64 = 299_792.458;
/// The speed of light in fiber, km/s: two thirds of `c`.
pub const FIBER_KM_PER_SEC: f64 = LIGHT_KM_PER_SEC * 2.0 / 3.0;

/// A place on Earth, in degrees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// A short name, e.g. `"Frankfurt"`.
    pub name: String,
    /// Latitude in degrees, `-90..=90` (north positive).
    pub lat: f64,
    /// Longitude in degrees, `-180..=180` (east positive).
    pub lon: f64,
}

impl Site {
    /// A site with these coordinates (validated when put in a [`SiteMatrix`]).
    pub fn new(name: impl Into<String>, lat: f64, lon: f64) -> Self {
        Site { name: name.into(), lat, lon }
    }
}

/// A set of sites with their pairwise distances and light-in-fiber round-trip floors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteMatrix {
    sites: Vec<Site>,
}

/// Great-circle distance by the haversine formula, which stays accurate for short distances.
fn haversine_km(a: &Site, b: &Site) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

impl SiteMatrix {
    /// A matrix over `sites`; refuses an empty list and coordinates off the globe.
    pub fn new(sites: Vec<Site>) -> Result<Self> {
        if sites.is_empty() {
            return Err(Error::empty("sites"));
        }
        for (i, s) in sites.iter().enumerate() {
            if !(s.lat.is_finite() && (-90.0..=90.0).contains(&s.lat)) {
                return Err(Error::invalid(format!("sites[{i}].lat"), s.lat, "degrees in [-90, 90]"));
            }
            if !(s.lon.is_finite() && (-180.0..=180.0).contains(&s.lon)) {
                return Err(Error::invalid(format!("sites[{i}].lon"), s.lon, "degrees in [-180, 180]"));
            }
        }
        Ok(SiteMatrix { sites })
    }

    /// Nine real cloud data-center cities, roughly one per major region.
    pub fn well_known() -> Self {
        let s = |name: &str, lat, lon| Site::new(name, lat, lon);
        SiteMatrix {
            sites: vec![
                s("Ashburn", 39.04, -77.49),
                s("The Dalles", 45.59, -121.18),
                s("São Paulo", -23.55, -46.63),
                s("Dublin", 53.35, -6.26),
                s("Frankfurt", 50.11, 8.68),
                s("Mumbai", 19.08, 72.88),
                s("Singapore", 1.35, 103.82),
                s("Tokyo", 35.68, 139.65),
                s("Sydney", -33.87, 151.21),
            ],
        }
    }

    /// The sites, in index order.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// How many sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Always false: a matrix has at least one site.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// The index of the site called `name`.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.sites.iter().position(|s| s.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
            Error::invalid("site", name, format!("one of {names:?}"))
        })
    }

    fn site(&self, parameter: &str, i: usize) -> Result<&Site> {
        self.sites
            .get(i)
            .ok_or_else(|| Error::invalid(parameter, i, format!("a site index in 0..{}", self.sites.len())))
    }

    /// Great-circle distance between sites `a` and `b`, in km.
    pub fn distance_km(&self, a: usize, b: usize) -> Result<f64> {
        Ok(haversine_km(self.site("a", a)?, self.site("b", b)?))
    }

    /// The shortest possible round trip between `a` and `b`: light in fiber along the great circle.
    pub fn rtt_floor(&self, a: usize, b: usize) -> Result<Duration> {
        let km = self.distance_km(a, b)?;
        Ok(Duration::from_nanos((2.0 * km / FIBER_KM_PER_SEC * 1e9).round() as u64))
    }

    /// One-way floor (half the round trip), used for links between nodes placed at `a` and `b`.
    pub(crate) fn one_way_floor(&self, a: usize, b: usize) -> Duration {
        let km = haversine_km(&self.sites[a], &self.sites[b]);
        Duration::from_nanos((km / FIBER_KM_PER_SEC * 1e9).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transatlantic_floor_matches_the_physics() {
        let m = SiteMatrix::well_known();
        let (ash, fra) = (m.index_of("Ashburn").unwrap(), m.index_of("Frankfurt").unwrap());
        let km = m.distance_km(ash, fra).unwrap();
        assert!((6500.0..6700.0).contains(&km), "{km}");
        // 2 * 6600 km / 199,862 km/s = 66 ms.
        let rtt = m.rtt_floor(ash, fra).unwrap().as_millis_f64();
        assert!((65.0..67.0).contains(&rtt), "{rtt}");
        assert_eq!(m.rtt_floor(ash, ash).unwrap(), Duration::ZERO);
        assert_eq!(m.rtt_floor(ash, fra).unwrap(), m.rtt_floor(fra, ash).unwrap());
    }

    #[test]
    fn no_floor_exceeds_half_the_globe() {
        let m = SiteMatrix::well_known();
        let max_ms = 2.0 * std::f64::consts::PI * EARTH_RADIUS_KM / FIBER_KM_PER_SEC * 1e3;
        for a in 0..m.len() {
            for b in 0..m.len() {
                assert!(m.rtt_floor(a, b).unwrap().as_millis_f64() <= max_ms + 1e-6);
            }
        }
    }

    #[test]
    fn bad_sites_are_refused() {
        let e = SiteMatrix::new(vec![Site::new("x", 91.0, 0.0)]).unwrap_err().to_string();
        assert!(e.contains("sites[0].lat") && e.contains("[-90, 90]"), "{e}");
        assert!(SiteMatrix::new(vec![Site::new("x", 0.0, f64::NAN)]).is_err());
        assert!(SiteMatrix::new(vec![]).is_err());
        assert!(SiteMatrix::well_known().rtt_floor(0, 99).unwrap_err().to_string().contains("`b`"));
        assert!(SiteMatrix::well_known().index_of("Atlantis").is_err());
    }
}
