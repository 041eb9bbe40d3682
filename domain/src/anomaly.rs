//! Early warning: anomalies in a unit's monthly series (cases opened, violation rate,
//! disciplines, money involved; all sectors or one), and the plain threshold rule the detector is
//! measured against (docs/benchmarks/anomalies.md, `cargo xtask eval-anomalies`).
//!
//! Each month is compared with what the months before it predict, as a probability, so that a
//! figure is an anomaly only when chance cannot explain it at the unit's own size.
//!
//! - **Counts** (cases opened, disciplines decided) are compared with a *reference*: the same
//!   measure summed over the unit's peers, the units of its level under the same parent
//!   ([`peer_totals`]). The reference carries what the group shares (the year-end rush, the Tết
//!   lull, working days, a national campaign, growth), so no seasonal model is needed, and a
//!   shock common to every peer is not one unit's anomaly. If the unit's events and its peers'
//!   are Poisson with intensities `λ·s(t)` and `R·s(t)`, then given the month's combined total
//!   the unit's count is binomial with its share `π = λ / (λ + R)` (the conditional test of two
//!   Poisson counts). `π` is learnt from the baseline window, the 12 months before (a thin series
//!   reaches back up to 36 months until it holds 30 events), with its uncertainty:
//!   `π ~ Beta(Σx + ½, Σr + ½)`. The month's count is then beta-binomial, and its exact tails,
//!   `P(X ≥ x)` and `P(X ≤ x)`, are the evidence: exact for 0, 1 or 2 cases as for thousands,
//!   and wider for a unit whose share rests on few events. A unit without peers (the centre)
//!   takes the same months of up to three earlier years as its reference.
//! - **Rates** (violations out of concluded cases): the month's violations out of its concluded
//!   cases are beta-binomial with the rate learnt from the window, starting from the peers' rate
//!   over the window worth 10 cases, so that a unit with a handful of cases leans on its peers
//!   and one with hundreds on itself.
//! - **Money** (amounts of violations summed by month) is driven by single large cases, not by
//!   counts: the log of the month's total is compared with the median of the non-zero months of
//!   the previous 24, scaled by their median absolute deviation (at least 0.25), under Student's
//!   t with 4 degrees of freedom (a month several times the usual is ordinary). Fewer than 8
//!   months with money: too short. Only rises are checked.
//! - **Robustness**: before they make a baseline, the window's values are pulled back to within
//!   3 standard deviations of their expectation, so last spring's anomaly does not raise this
//!   spring's expectation; a peer's value is pulled back the same way before it enters the
//!   reference, so one province's spike does not hide another's.
//! - **Decision**: a month is an anomaly when its tail probability is below `alpha_rise` (or
//!   `alpha_drop`) and it differs from the expected value by at least 20 % (evidence alone would
//!   flag a 3 % change in a very large series). The band `low..=high` holds exactly the values
//!   that are not anomalies, so a chart of the series with its band shows what was flagged and
//!   why. The tail probability is set per tier of series watched together
//!   ([`Settings::for_tier`]): a budget of false alarms a month split over the tier's series, so
//!   that 3,321 communes need stronger evidence than 34 provinces. The score is the tail
//!   probability as a signed number of standard normal deviations.

use serde::{Deserialize, Serialize};

/// Which way a month left its expected band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Rise,
    Drop,
}

/// What the detector concluded about one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the expected band.
    Normal,
    /// Outside the band, in this direction.
    Anomaly(Direction),
    /// Not enough history before the month to know what to expect.
    TooShort,
    /// Nothing to measure that month (a rate without any case concluded).
    NoData,
}

impl Verdict {
    /// The direction of an anomaly, `None` otherwise.
    pub fn anomaly(self) -> Option<Direction> {
        match self {
            Verdict::Anomaly(d) => Some(d),
            _ => None,
        }
    }
}

/// One month checked: what was observed, what was expected, the band outside which the month is
/// an anomaly, and how far out it lies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    /// Index of the month in the series.
    pub month: usize,
    /// The month's value (a count, a share between 0 and 1, or money).
    pub observed: f64,
    /// The value expected for the month.
    pub expected: f64,
    /// The lowest value that is not an anomaly.
    pub low: f64,
    /// The highest value that is not an anomaly.
    pub high: f64,
    /// The probability of a value at least this far from the expected one on its side, under
    /// the month's expected distribution (1 when it could not be computed).
    pub p_value: f64,
    /// The same probability as a signed number of standard normal deviations (positive above
    /// the expected value), to rank and colour anomalies.
    pub score: f64,
    pub verdict: Verdict,
}

impl Check {
    fn without_verdict(month: usize, observed: f64, verdict: Verdict) -> Check {
        Check {
            month,
            observed,
            expected: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
            p_value: 1.0,
            score: 0.0,
            verdict,
        }
    }
}

/// A unit's monthly series, with what it is compared with.
#[derive(Debug, Clone, Copy)]
pub enum Series<'a> {
    /// Events counted (cases opened, disciplines decided), compared month by month with the
    /// same measure summed over the unit's peers (see [`peer_totals`]).
    Count {
        values: &'a [f64],
        /// The peers' robust total for each month, the unit excluded; without peers, the same
        /// months of earlier years are the reference.
        peers: Option<&'a [f64]>,
    },
    /// A share: `hits` out of `totals` (violations out of concluded cases), compared with the
    /// unit's own past; the peers' share over the same past, if given, steadies a unit with
    /// few cases.
    Rate {
        hits: &'a [f64],
        totals: &'a [f64],
        /// The peers' hits and totals for each month, the unit excluded.
        peers: Option<(&'a [f64], &'a [f64])>,
    },
    /// Money summed over a month's events, compared with the unit's own past on a log scale.
    Amount { values: &'a [f64] },
}

/// The detector's knobs (see the module documentation for what each does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Months before the checked one that make its baseline.
    pub window: usize,
    /// A thin series' baseline reaches further back, up to this many months, until it holds
    /// `min_events` events (cases for a rate).
    pub long_window: usize,
    pub min_events: f64,
    /// Fewer months of history than this: [`Verdict::TooShort`].
    pub min_history: usize,
    /// A month above its expected distribution's upper tail of this probability is a rise.
    pub alpha_rise: f64,
    /// A month below its expected distribution's lower tail of this probability is a drop.
    pub alpha_drop: f64,
    /// Smallest relative change from the expected value that counts, whatever the evidence.
    pub min_change: f64,
    /// Values further than this many standard deviations from their expected value are pulled
    /// back to it before they make a baseline (robustness to earlier anomalies).
    pub winsor: f64,
    /// How many cases the peers' rate is worth as the prior of a unit's own rate.
    pub peer_prior: f64,
    /// Months of history that make a money baseline.
    pub amount_window: usize,
    /// Fewer months with money than this in the money baseline: [`Verdict::TooShort`].
    pub amount_min_months: usize,
}

impl Settings {
    /// The settings for a tier of `series` series watched together (the provinces' cases
    /// opened, the communes' disciplines in one sector, ...): the tail probability that keeps the
    /// tier's expected false alarms at `false_alarms_a_month`.
    pub fn for_tier(false_alarms_a_month: f64, series: usize) -> Settings {
        let alpha = false_alarms_a_month / series.max(1) as f64;
        Settings {
            alpha_rise: alpha,
            alpha_drop: alpha,
            ..Settings::default()
        }
    }
}

impl Default for Settings {
    /// The evaluated settings for the 34 provinces' all-sector series (a budget of 0.01 false
    /// alarms a month).
    fn default() -> Settings {
        Settings {
            window: 12,
            long_window: 36,
            min_events: 30.0,
            min_history: 6,
            alpha_rise: 0.01 / 34.0,
            alpha_drop: 0.01 / 34.0,
            min_change: 0.2,
            winsor: 3.0,
            peer_prior: 10.0,
            amount_window: 24,
            amount_min_months: 8,
        }
    }
}

/// Checks every month of a series.
pub fn scan(series: &Series, settings: &Settings) -> Vec<Check> {
    let months = match *series {
        Series::Count { values, .. } | Series::Amount { values } => values.len(),
        Series::Rate { hits, .. } => hits.len(),
    };
    (0..months).map(|m| check(series, m, settings)).collect()
}

/// Checks month `month` (an index into the series) of a series.
pub fn check(series: &Series, month: usize, settings: &Settings) -> Check {
    match *series {
        Series::Count { values, peers } => check_count(values, peers, month, settings),
        Series::Rate {
            hits,
            totals,
            peers,
        } => check_rate(hits, totals, peers, month, settings),
        Series::Amount { values } => check_amount(values, month, settings),
    }
}

/// For each member of a group of peers (units of one level under one parent), the sum of the
/// other members' values month by month, each value first pulled back to within
/// `settings.winsor` standard deviations of what its own share of the group predicts, so that
/// one peer's anomaly does not move the others' expectations.
pub fn peer_totals(members: &[&[f64]], settings: &Settings) -> Vec<Vec<f64>> {
    let months = members.iter().map(|m| m.len()).max().unwrap_or(0);
    let value = |p: usize, t: usize| members[p].get(t).copied().unwrap_or(0.0);
    let total: Vec<f64> = (0..months)
        .map(|t| (0..members.len()).map(|p| value(p, t)).sum())
        .collect();
    let total_prefix = prefix(&total);
    let mut robust = vec![vec![0.0; months]; members.len()];
    for (p, row) in robust.iter_mut().enumerate() {
        let own: Vec<f64> = (0..months).map(|t| value(p, t)).collect();
        let own_prefix = prefix(&own);
        for t in 0..months {
            let from = t.saturating_sub(settings.window);
            let mine = own_prefix[t] - own_prefix[from];
            let all = total_prefix[t] - total_prefix[from];
            row[t] = if all > 0.0 {
                let e = mine / all * total[t];
                winsorize(own[t], e, e, settings.winsor)
            } else {
                own[t]
            };
        }
    }
    let robust_total: Vec<f64> = (0..months)
        .map(|t| robust.iter().map(|r| r[t]).sum())
        .collect();
    robust
        .iter()
        .map(|r| {
            (0..months)
                .map(|t| (robust_total[t] - r[t]).max(0.0))
                .collect()
        })
        .collect()
}

fn prefix(xs: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len() + 1);
    let mut acc = 0.0;
    out.push(acc);
    for x in xs {
        acc += x;
        out.push(acc);
    }
    out
}

/// `x` pulled back to within `k` standard deviations (`sqrt(variance + 1)`, so that small
/// counts are left alone) of `expected`.
fn winsorize(x: f64, expected: f64, variance: f64, k: f64) -> f64 {
    let reach = k * (variance.max(0.0) + 1.0).sqrt();
    let (low, high) = ((expected - reach).max(0.0), expected + reach);
    // Not a number, or a negative expectation from bad input: leave the value as it is.
    if low <= high { x.clamp(low, high) } else { x }
}

/// A count or an amount the detector can use: finite and not negative.
fn usable(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

/// The first month of a baseline: `window` months back, further (up to `long_window`) while
/// the values in it add up to fewer than `min_events`.
fn window_start(values: &[f64], month: usize, s: &Settings) -> usize {
    let mut from = month.saturating_sub(s.window);
    let mut events: f64 = values[from..month].iter().sum();
    while from > 0 && month - from < s.long_window && events < s.min_events {
        from -= 1;
        events += values[from];
    }
    from
}

fn check_count(values: &[f64], peers: Option<&[f64]>, month: usize, s: &Settings) -> Check {
    let Some(&x) = values.get(month) else {
        return Check::without_verdict(month, f64::NAN, Verdict::NoData);
    };
    let mut from = window_start(values, month, s);
    // Without peers, the reference is the same months of up to three earlier years.
    let years = if peers.is_none() {
        from = from.max(12.min(month));
        (from / 12).min(3)
    } else {
        0
    };
    if month - from < s.min_history || (peers.is_none() && years == 0) {
        return Check::without_verdict(month, x, Verdict::TooShort);
    }
    let reference = |t: usize| match peers {
        Some(p) => p.get(t).copied().unwrap_or(0.0),
        None => (1..=years).map(|y| values[t - 12 * y]).sum(),
    };
    let r = reference(month).round();
    if !(usable(x) && usable(r)) {
        return Check::without_verdict(month, x, Verdict::NoData);
    }
    // The unit's odds against its reference over the window (months with unusable values left
    // out), with its own outlying months pulled back first.
    let window: Vec<usize> = (from..month)
        .filter(|&t| usable(values[t]) && usable(reference(t)))
        .collect();
    let xs: f64 = window.iter().map(|&t| values[t]).sum();
    let rs: f64 = window.iter().map(|&t| reference(t)).sum();
    let odds = (xs + 0.5) / (rs + 0.5);
    let robust: f64 = window
        .iter()
        .map(|&t| {
            let e = odds * reference(t);
            winsorize(values[t], e, e, s.winsor)
        })
        .sum();
    let (a, b) = (robust + 0.5, rs + 0.5);
    // Given the month's total of unit and reference, the unit's part is beta-binomial.
    let dist = |k: f64| BetaBinomial { n: k + r, a, b };
    let tails = Tails {
        upper: &|k| dist(k).upper(k),
        lower: &|k| dist(k).lower(k),
        max: MAX_COUNT,
    };
    judge(month, x.round(), a / b * r, 1.0, &tails, s)
}

fn check_rate(
    hits: &[f64],
    totals: &[f64],
    peers: Option<(&[f64], &[f64])>,
    month: usize,
    s: &Settings,
) -> Check {
    let (Some(&x), Some(&n)) = (hits.get(month), totals.get(month)) else {
        return Check::without_verdict(month, f64::NAN, Verdict::NoData);
    };
    if !(usable(n) && n > 0.0 && usable(x) && x <= n) {
        return Check::without_verdict(month, f64::NAN, Verdict::NoData);
    }
    let from = window_start(totals, month, s);
    if month - from < s.min_history {
        return Check::without_verdict(month, x / n, Verdict::TooShort);
    }
    // The peers' rate over the window, worth `peer_prior` cases, steadies a thin unit.
    let (prior_a, prior_b) = match peers {
        Some((ph, pt)) => {
            let h: f64 = (from..month)
                .map(|t| ph.get(t).copied().unwrap_or(0.0))
                .sum();
            let n: f64 = (from..month)
                .map(|t| pt.get(t).copied().unwrap_or(0.0))
                .sum();
            if usable(h) && usable(n) && n > 0.0 {
                let rate = (h / n).clamp(0.01, 0.99);
                (s.peer_prior * rate, s.peer_prior * (1.0 - rate))
            } else {
                (0.5, 0.5)
            }
        }
        None => (0.5, 0.5),
    };
    let window: Vec<usize> = (from..month)
        .filter(|&t| usable(hits[t]) && usable(totals[t]) && hits[t] <= totals[t])
        .collect();
    let xs: f64 = window.iter().map(|&t| hits[t]).sum();
    let ns: f64 = window.iter().map(|&t| totals[t]).sum();
    let rate = (xs + prior_a) / (ns + prior_a + prior_b);
    let robust: f64 = window
        .iter()
        .map(|&t| {
            let e = rate * totals[t];
            winsorize(hits[t], e, e * (1.0 - rate), s.winsor)
        })
        .sum();
    let n = n.round();
    let dist = BetaBinomial {
        n,
        a: robust + prior_a,
        b: (ns - robust) + prior_b,
    };
    let tails = Tails {
        upper: &|k| dist.upper(k),
        lower: &|k| dist.lower(k),
        max: n,
    };
    judge(month, x.round(), dist.mean(), n, &tails, s)
}

/// The largest count a band reaches: a reference with almost no history gives tails that fall
/// only polynomially, and a band past this says that no plausible count would be flagged.
const MAX_COUNT: f64 = 1e9;

/// A month's expected distribution of counts, by its tails.
struct Tails<'a> {
    /// P(X >= k) when k is observed (falls as k grows).
    upper: &'a dyn Fn(f64) -> f64,
    /// P(X <= k) when k is observed (grows with k).
    lower: &'a dyn Fn(f64) -> f64,
    /// The largest possible count.
    max: f64,
}

/// The verdict on count `k` whose expected value is `expected`; the series shows counts
/// divided by `scale` (1 for counts, the month's cases for a rate).
fn judge(month: usize, k: f64, expected: f64, scale: f64, tails: &Tails, s: &Settings) -> Check {
    let (p_value, score) = if k >= expected {
        let p = (tails.upper)(k);
        (p, z_of(p).max(0.0))
    } else {
        let p = (tails.lower)(k);
        (p, -z_of(p).max(0.0))
    };
    // The band: the counts the tails do not reject, widened to the smallest change that counts.
    let high_k = last_where(expected.floor().max(0.0), tails.max, |k| {
        (tails.upper)(k) >= s.alpha_rise
    });
    let low_k = if (tails.lower)(0.0) >= s.alpha_drop {
        0.0
    } else {
        // The first count the lower tail accepts: one past the last it rejects.
        last_where(0.0, expected.ceil(), |k| (tails.lower)(k) < s.alpha_drop) + 1.0
    };
    let high = high_k.max(expected * (1.0 + s.min_change));
    let low = low_k.min(expected * (1.0 - s.min_change));
    let verdict = if k > high {
        Verdict::Anomaly(Direction::Rise)
    } else if k < low {
        Verdict::Anomaly(Direction::Drop)
    } else {
        Verdict::Normal
    };
    Check {
        month,
        observed: k / scale,
        expected: expected / scale,
        low: low / scale,
        high: high / scale,
        p_value,
        score,
        verdict,
    }
}

/// The last integer k in `from..=max` for which `holds` (true at `from`, then false for good),
/// by doubling steps and bisection; `from` when it fails at once.
fn last_where(from: f64, max: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if !holds(from) {
        return from;
    }
    let mut lo = from;
    let mut step = 1.0;
    let mut hi = loop {
        let next = (lo + step).min(max);
        if next <= lo {
            return lo;
        }
        if !holds(next) {
            break next;
        }
        lo = next;
        step *= 2.0;
    };
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn check_amount(values: &[f64], month: usize, s: &Settings) -> Check {
    let Some(&x) = values.get(month) else {
        return Check::without_verdict(month, f64::NAN, Verdict::NoData);
    };
    if !usable(x) {
        return Check::without_verdict(month, x, Verdict::NoData);
    }
    let from = month.saturating_sub(s.amount_window);
    let mut logs: Vec<f64> = values[from..month]
        .iter()
        .filter(|v| usable(**v) && **v > 0.0)
        .map(|v| v.ln())
        .collect();
    if logs.len() < s.amount_min_months {
        return Check::without_verdict(month, x, Verdict::TooShort);
    }
    let center = median(&mut logs);
    let mut dev: Vec<f64> = logs.iter().map(|l| (l - center).abs()).collect();
    let scale = (1.4826 * median(&mut dev)).max(0.25);
    let expected = center.exp();
    let t = if x > 0.0 {
        (x.ln() - center) / scale
    } else {
        f64::NEG_INFINITY
    };
    let p_value = if t > 0.0 { t4_upper(t) } else { 1.0 };
    let high = (center + t4_quantile(s.alpha_rise) * scale)
        .exp()
        .max(expected * (1.0 + s.min_change));
    let verdict = if x > high {
        Verdict::Anomaly(Direction::Rise)
    } else {
        Verdict::Normal
    };
    Check {
        month,
        observed: x,
        expected,
        low: 0.0,
        high,
        p_value,
        score: if t > 0.0 { z_of(p_value).max(0.0) } else { 0.0 },
        verdict,
    }
}

/// P(T > t) for Student's t with 4 degrees of freedom: `(1 − u)² (2 + u) / 4` with
/// `u = t / sqrt(t² + 4)`, written so that far tails keep their precision.
fn t4_upper(t: f64) -> f64 {
    if t < 0.0 {
        return 1.0 - t4_upper(-t);
    }
    let r = (t * t + 4.0).sqrt();
    let one_minus_u = 4.0 / (r * (r + t));
    let u = t / r;
    one_minus_u * one_minus_u * (2.0 + u) / 4.0
}

/// The t with `t4_upper(t) = p`, for 0 < p <= 1/2 (bisection).
fn t4_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1e6_f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if t4_upper(mid) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The beta-binomial distribution: `n` trials whose success probability is Beta(`a`, `b`).
#[derive(Debug, Clone, Copy)]
struct BetaBinomial {
    n: f64,
    a: f64,
    b: f64,
}

impl BetaBinomial {
    fn mean(&self) -> f64 {
        self.n * self.a / (self.a + self.b)
    }

    fn ln_pmf(&self, k: f64) -> f64 {
        let (n, a, b) = (self.n, self.a, self.b);
        ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0) + ln_beta(k + a, n - k + b)
            - ln_beta(a, b)
    }

    /// pmf(k + 1) / pmf(k).
    fn ratio_up(&self, k: f64) -> f64 {
        (self.n - k) / (k + 1.0) * (k + self.a) / (self.n - k - 1.0 + self.b)
    }

    /// Sum of the pmf from `k` outwards (upwards or downwards) until the terms vanish.
    fn tail_from(&self, k: f64, up: bool) -> f64 {
        let mut term = self.ln_pmf(k).exp();
        let mut sum = term;
        let mut j = k;
        loop {
            if up {
                if j >= self.n {
                    break;
                }
                term *= self.ratio_up(j);
                j += 1.0;
            } else {
                if j <= 0.0 {
                    break;
                }
                term /= self.ratio_up(j - 1.0);
                j -= 1.0;
            }
            sum += term;
            if term <= sum * 1e-17 || !term.is_finite() {
                break;
            }
        }
        sum.min(1.0)
    }

    /// P(X >= k).
    fn upper(&self, k: f64) -> f64 {
        if k <= 0.0 {
            return 1.0;
        }
        if k > self.n {
            return 0.0;
        }
        if k > self.mean() {
            self.tail_from(k, true)
        } else {
            (1.0 - self.tail_from(k - 1.0, false)).max(0.0)
        }
    }

    /// P(X <= k).
    fn lower(&self, k: f64) -> f64 {
        if k < 0.0 {
            return 0.0;
        }
        if k >= self.n {
            return 1.0;
        }
        if k < self.mean() {
            self.tail_from(k, false)
        } else {
            (1.0 - self.tail_from(k + 1.0, true)).max(0.0)
        }
    }
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// P(Z > z) for a standard normal Z.
fn normal_upper(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The z with P(Z > z) = p for a standard normal Z (Acklam's approximation, relative error
/// below 1.2e-9); 0 for p >= 0.5 is not needed: the result is negative there.
fn z_of(p: f64) -> f64 {
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    -normal_quantile(p)
}

/// The q-quantile of the standard normal distribution.
fn normal_quantile(q: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |p: f64| {
        let r = (-2.0 * p.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    if q < 0.02425 {
        tail(q)
    } else if q > 1.0 - 0.02425 {
        -tail(1.0 - q)
    } else {
        let p = q - 0.5;
        let r = p * p;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * p
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The plain threshold rule the detector is measured against: a month above the mean of the
/// previous `window` values plus `k` standard deviations is a rise, below the mean minus `k`
/// standard deviations a drop (values that are NaN, such as a rate without cases, are skipped).
pub fn threshold_rule(values: &[f64], month: usize, window: usize, k: f64) -> Check {
    let Some(&x) = values.get(month) else {
        return Check::without_verdict(month, f64::NAN, Verdict::NoData);
    };
    if x.is_nan() {
        return Check::without_verdict(month, x, Verdict::NoData);
    }
    let from = month.saturating_sub(window);
    let past: Vec<f64> = values[from..month]
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .collect();
    if past.len() < window.clamp(2, 6) {
        return Check::without_verdict(month, x, Verdict::TooShort);
    }
    let n = past.len() as f64;
    let mean = past.iter().sum::<f64>() / n;
    let sd = (past.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let (low, high) = (mean - k * sd, mean + k * sd);
    let verdict = if x > high {
        Verdict::Anomaly(Direction::Rise)
    } else if x < low {
        Verdict::Anomaly(Direction::Drop)
    } else {
        Verdict::Normal
    };
    let score = if sd > 0.0 {
        (x - mean) / sd
    } else if x == mean {
        0.0
    } else {
        f64::INFINITY.copysign(x - mean)
    };
    Check {
        month,
        observed: x,
        expected: mean,
        low,
        high,
        p_value: if score > 0.0 {
            normal_upper(score)
        } else {
            normal_upper(-score)
        },
        score,
        verdict,
    }
}

/// The measures the detector watches in a unit's monthly series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Watched {
    /// Cases opened: counts against the peers.
    CasesOpened,
    /// Violations out of concluded cases: a rate with the peers' rate as its prior.
    ViolationRate,
    /// Disciplines decided: counts against the peers.
    Disciplines,
    /// Money involved in violations: the unit's own past on a log scale.
    AmountVnd,
}

impl Watched {
    pub const ALL: [Watched; 4] = [
        Watched::CasesOpened,
        Watched::ViolationRate,
        Watched::Disciplines,
        Watched::AmountVnd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Watched::CasesOpened => "cases_opened",
            Watched::ViolationRate => "violation_rate",
            Watched::Disciplines => "disciplines",
            Watched::AmountVnd => "amount_vnd",
        }
    }
}

/// A group of peers (units of one level under one parent) watched for one measure: what each
/// member is compared with, computed once for all its months.
pub struct Group<'a> {
    watched: Watched,
    values: Vec<&'a [f64]>,
    totals: Vec<&'a [f64]>,
    /// Counts: each member's peers' robust totals. Rates: the group's hits and totals.
    others: Vec<Vec<f64>>,
    group_hits: Vec<f64>,
    group_totals: Vec<f64>,
}

impl<'a> Group<'a> {
    /// `values[i]` is member i's series (violations for the rate); `totals[i]` its concluded
    /// cases (the rate only; empty otherwise).
    pub fn new(
        watched: Watched,
        values: Vec<&'a [f64]>,
        totals: Vec<&'a [f64]>,
        settings: &Settings,
    ) -> Group<'a> {
        let sums = |rows: &[&[f64]]| -> Vec<f64> {
            let months = rows.first().map(|r| r.len()).unwrap_or(0);
            (0..months)
                .map(|t| rows.iter().map(|r| r[t]).sum())
                .collect()
        };
        let (others, group_hits, group_totals) = match watched {
            Watched::CasesOpened | Watched::Disciplines if values.len() > 1 => {
                (peer_totals(&values, settings), Vec::new(), Vec::new())
            }
            Watched::ViolationRate if values.len() > 1 => {
                (Vec::new(), sums(&values), sums(&totals))
            }
            _ => (Vec::new(), Vec::new(), Vec::new()),
        };
        Group {
            watched,
            values,
            totals,
            others,
            group_hits,
            group_totals,
        }
    }

    /// Checks month `month` of member `i`.
    pub fn check(&self, i: usize, month: usize, settings: &Settings) -> Check {
        let minus = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| (x - y).max(0.0)).collect()
        };
        let values = self.values[i];
        match self.watched {
            Watched::CasesOpened | Watched::Disciplines => {
                let series = Series::Count {
                    values,
                    peers: self.others.get(i).map(Vec::as_slice),
                };
                check(&series, month, settings)
            }
            Watched::ViolationRate => {
                let totals = self.totals[i];
                let peers = (!self.group_hits.is_empty()).then(|| {
                    (
                        minus(&self.group_hits, values),
                        minus(&self.group_totals, totals),
                    )
                });
                let series = Series::Rate {
                    hits: values,
                    totals,
                    peers: peers.as_ref().map(|(h, t)| (h.as_slice(), t.as_slice())),
                };
                check(&series, month, settings)
            }
            Watched::AmountVnd => check(&Series::Amount { values }, month, settings),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn the_special_functions_match_known_values() {
        assert!(ln_gamma(1.0).abs() < 1e-14 && ln_gamma(2.0).abs() < 1e-14);
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_700_1, 1e-13));
        assert!(close(ln_gamma(10.0), 12.801_827_480_081_469, 1e-13));
        assert!(close(ln_gamma(0.1), 2.252_712_651_734_206, 1e-12));
        assert!(close(z_of(0.025), 1.959_963_984_540_054, 1e-8));
        assert!(close(z_of(1e-5), 4.264_890_793_922_602, 1e-8));
        assert!(close(normal_upper(3.0), 1.349_898_031_630_094_6e-3, 1e-6));
        // Student's t, 4 degrees of freedom: P(T > 2.776445) = 0.025, P(T > 8.610302) = 0.0005.
        assert!(close(t4_upper(2.776_445_105_197_793), 0.025, 1e-9));
        assert!(close(t4_upper(8.610_301_581_014_49), 0.0005, 1e-9));
        assert!(close(t4_quantile(0.025), 2.776_445_105_197_793, 1e-9));
        // Beta(1, 1) mixes the success probability uniformly: every count is equally likely.
        let u = BetaBinomial {
            n: 9.0,
            a: 1.0,
            b: 1.0,
        };
        assert!(close(u.upper(7.0), 0.3, 1e-12));
        assert!(close(u.lower(2.0), 0.3, 1e-12));
        // A sharp Beta is a binomial: Bin(10, 0.5), P(X >= 9) = 11/1024.
        let b = BetaBinomial {
            n: 10.0,
            a: 5e7,
            b: 5e7,
        };
        assert!(close(b.upper(9.0), 11.0 / 1024.0, 1e-6));
        assert!(close(b.lower(1.0), 11.0 / 1024.0, 1e-6));
    }
    /// The organization's season: the year-end rush, the Tết lull.
    const SEASON: [f64; 12] = [
        0.78, 0.56, 0.96, 1.0, 1.0, 1.04, 0.95, 0.93, 1.0, 1.1, 1.2, 1.32,
    ];

    /// `months` months of `level` a month shaped by the season, rounded to whole cases.
    fn seasonal(level: f64, months: usize) -> Vec<f64> {
        (0..months)
            .map(|t| (level * SEASON[t % 12]).round())
            .collect()
    }

    /// The series with its last month replaced by `x`.
    fn ending_with(mut values: Vec<f64>, x: f64) -> Vec<f64> {
        if let Some(last) = values.last_mut() {
            *last = x;
        }
        values
    }

    fn count(values: &[f64], peers: &[f64]) -> Check {
        let s = Series::Count {
            values,
            peers: Some(peers),
        };
        check(&s, values.len() - 1, &Settings::default())
    }

    const RISE: Verdict = Verdict::Anomaly(Direction::Rise);
    const DROP: Verdict = Verdict::Anomaly(Direction::Drop);

    #[test]
    fn a_tripling_in_a_small_commune_is_found_a_doubling_is_not() {
        // A commune with about 8 cases a month among communes with 240; 27 months, the last
        // one checked (a March: 0.96 of the usual month).
        let peers = seasonal(240.0, 27);
        let commune = seasonal(8.0, 27);
        let usual = commune[26];
        assert_eq!(usual, 8.0);
        let tripled = count(&ending_with(commune.clone(), 3.0 * usual), &peers);
        assert_eq!(tripled.verdict, RISE, "{tripled:?}");
        assert!((tripled.expected - 8.0).abs() < 0.5, "{tripled:?}");
        assert!(tripled.high < 24.0 && tripled.high >= 16.0, "{tripled:?}");
        let doubled = count(&ending_with(commune, 2.0 * usual), &peers);
        assert_eq!(doubled.verdict, Verdict::Normal, "{doubled:?}");
    }

    #[test]
    fn a_30_percent_rise_is_found_in_a_large_province_but_not_in_a_small_one() {
        let peers = seasonal(4_000.0, 27);
        let large = seasonal(400.0, 27);
        let rise = count(
            &ending_with(large.clone(), (large[26] * 1.3).round()),
            &peers,
        );
        assert_eq!(rise.verdict, RISE, "{rise:?}");
        assert!(rise.score > 5.0, "{rise:?}");
        // The same 30 % on ten cases a month is ordinary noise.
        let small = seasonal(10.0, 27);
        let noise = count(
            &ending_with(small.clone(), (small[26] * 1.3).round()),
            &peers,
        );
        assert_eq!(noise.verdict, Verdict::Normal, "{noise:?}");
    }

    #[test]
    fn ordinary_seasonal_peaks_are_not_flagged() {
        // Every December is a third above an ordinary month, every February half of it.
        let peers = seasonal(1_000.0, 48);
        let unit = seasonal(100.0, 48);
        for month in 6..48 {
            let c = check(
                &Series::Count {
                    values: &unit,
                    peers: Some(&peers),
                },
                month,
                &Settings::default(),
            );
            assert_eq!(c.verdict, Verdict::Normal, "{c:?}");
            assert!((c.expected - unit[month]).abs() <= 2.0, "{c:?}");
        }
        // Without peers, the same months of earlier years show the season.
        for month in 18..48 {
            let c = check(
                &Series::Count {
                    values: &unit,
                    peers: None,
                },
                month,
                &Settings::default(),
            );
            assert_eq!(c.verdict, Verdict::Normal, "{c:?}");
        }
    }

    #[test]
    fn small_count_noise_is_not_flagged() {
        // About one case a month, now and then none, now and then three or four.
        let unit = [
            1.0, 0.0, 2.0, 1.0, 0.0, 1.0, 3.0, 0.0, 1.0, 1.0, 2.0, 0.0, 1.0, 4.0, 0.0, 1.0, 2.0,
            1.0, 0.0, 0.0, 3.0, 1.0, 1.0, 0.0, 4.0,
        ];
        let peers = vec![100.0; unit.len()];
        for month in 6..unit.len() {
            let c = check(
                &Series::Count {
                    values: &unit,
                    peers: Some(&peers),
                },
                month,
                &Settings::default(),
            );
            assert_eq!(c.verdict, Verdict::Normal, "{c:?}");
        }
        // Ten in one month is another matter.
        let burst = count(&ending_with(unit.to_vec(), 10.0), &peers);
        assert_eq!(burst.verdict, RISE, "{burst:?}");
    }

    #[test]
    fn a_drop_is_found() {
        let peers = seasonal(2_000.0, 25);
        let unit = seasonal(100.0, 25);
        let usual = unit[24];
        let drop = count(&ending_with(unit.clone(), (usual * 0.4).round()), &peers);
        assert_eq!(drop.verdict, DROP, "{drop:?}");
        assert!(drop.score < -4.0 && drop.low > 40.0, "{drop:?}");
        let dip = count(&ending_with(unit, (usual * 0.85).round()), &peers);
        assert_eq!(dip.verdict, Verdict::Normal, "{dip:?}");
    }

    #[test]
    fn a_scan_checks_every_month_and_finds_the_one_spike() {
        let peers = seasonal(1_000.0, 36);
        let mut unit = seasonal(50.0, 36);
        unit[30] = 110.0;
        let checks = scan(
            &Series::Count {
                values: &unit,
                peers: Some(&peers),
            },
            &Settings::default(),
        );
        assert_eq!(checks.len(), 36);
        assert!(checks[..6].iter().all(|c| c.verdict == Verdict::TooShort));
        let flagged: Vec<usize> = checks
            .iter()
            .filter(|c| c.verdict.anomaly().is_some())
            .map(|c| c.month)
            .collect();
        // The spike, and not the months after it: it is kept out of their baseline.
        assert_eq!(flagged, [30]);
    }

    #[test]
    fn a_group_without_any_history_gives_no_evidence() {
        // Neither the unit nor its peers had a case for two years: five cases now cannot be
        // weighed against anything, and the band reaches far up.
        let unit = ending_with(vec![0.0; 25], 5.0);
        let peers = vec![0.0; 25];
        let c = count(&unit, &peers);
        assert_eq!(c.verdict, Verdict::Normal);
        assert!(c.high > 1e5, "{c:?}");
    }

    #[test]
    fn bad_values_give_an_answer_not_a_panic() {
        let mut values = seasonal(20.0, 25);
        values[3] = f64::NAN;
        values[7] = -5.0;
        let peers = ending_with(seasonal(200.0, 25), f64::INFINITY);
        for series in [
            Series::Count {
                values: &values,
                peers: Some(&peers),
            },
            Series::Count {
                values: &values,
                peers: None,
            },
            Series::Rate {
                hits: &values,
                totals: &peers,
                peers: Some((&values, &peers)),
            },
            Series::Amount { values: &values },
        ] {
            assert_eq!(scan(&series, &Settings::default()).len(), 25);
        }
        assert_eq!(threshold_rule(&values, 24, 12, 3.0).month, 24);
        // A month past the end has no data.
        let c = check(
            &Series::Amount { values: &values },
            99,
            &Settings::default(),
        );
        assert_eq!(c.verdict, Verdict::NoData);
    }

    #[test]
    fn a_series_too_short_says_so() {
        let unit = [3.0, 4.0, 2.0, 5.0, 3.0, 9.0];
        let peers = [50.0; 6];
        assert_eq!(count(&unit, &peers).verdict, Verdict::TooShort);
        // Without peers, a year before the baseline is needed as well.
        let year = seasonal(10.0, 17);
        let alone = check(
            &Series::Count {
                values: &year,
                peers: None,
            },
            16,
            &Settings::default(),
        );
        assert_eq!(alone.verdict, Verdict::TooShort);
        // A rate in a month without any case concluded has nothing to say.
        let rate = Series::Rate {
            hits: &[2.0; 13],
            totals: &ending_with(vec![8.0; 13], 0.0),
            peers: None,
        };
        assert_eq!(
            check(&rate, 12, &Settings::default()).verdict,
            Verdict::NoData
        );
    }

    #[test]
    fn a_jump_in_the_violation_rate_is_found() {
        // 40 cases concluded a month, a quarter with a violation.
        let totals = vec![40.0; 25];
        let hits = vec![10.0; 25];
        let rate = |x: f64| {
            let hits = ending_with(hits.clone(), x);
            check(
                &Series::Rate {
                    hits: &hits,
                    totals: &totals,
                    peers: None,
                },
                24,
                &Settings::default(),
            )
        };
        let jump = rate(24.0);
        assert_eq!(jump.verdict, RISE, "{jump:?}");
        assert!((jump.observed - 0.6).abs() < 1e-12 && (jump.expected - 0.25).abs() < 0.01);
        assert_eq!(rate(14.0).verdict, Verdict::Normal);
        assert_eq!(rate(1.0).verdict, DROP);
    }

    #[test]
    fn a_thin_units_rate_leans_on_its_peers() {
        // Two cases concluded a month, none with a violation for two years; its peers find one in
        // four. Two violations out of two is then less surprising than its own past alone says.
        let totals = vec![2.0; 25];
        let hits = ending_with(vec![0.0; 25], 2.0);
        let peer_hits = vec![50.0; 25];
        let peer_totals = vec![200.0; 25];
        let with = check(
            &Series::Rate {
                hits: &hits,
                totals: &totals,
                peers: Some((&peer_hits, &peer_totals)),
            },
            24,
            &Settings::default(),
        );
        let alone = check(
            &Series::Rate {
                hits: &hits,
                totals: &totals,
                peers: None,
            },
            24,
            &Settings::default(),
        );
        assert!(with.p_value > alone.p_value, "{with:?} {alone:?}");
        assert_eq!(with.verdict, Verdict::Normal);
    }

    #[test]
    fn a_rise_shared_by_every_peer_is_not_the_units_anomaly() {
        // A national campaign: every unit opens 60 % more cases in the last month.
        let campaign = |mut v: Vec<f64>| {
            let last = v.len() - 1;
            v[last] = (v[last] * 1.6).round();
            v
        };
        let peers = campaign(seasonal(2_000.0, 40));
        let unit = campaign(seasonal(200.0, 40));
        assert_eq!(count(&unit, &peers).verdict, Verdict::Normal);
        // Compared only with its own past, the unit looks anomalous.
        let alone = check(
            &Series::Count {
                values: &unit,
                peers: None,
            },
            39,
            &Settings::default(),
        );
        assert_eq!(alone.verdict, RISE, "{alone:?}");
    }

    #[test]
    fn peer_totals_leave_out_a_peers_own_spike() {
        let a = vec![100.0; 13];
        let b = vec![50.0; 13];
        let c = ending_with(vec![10.0; 13], 40.0);
        let totals = peer_totals(&[&a, &b, &c], &Settings::default());
        // Before the spike: the plain sums of the others.
        assert_eq!(totals[0][11], 60.0);
        assert_eq!(totals[2][11], 150.0);
        // In the spike's month, the spiking peer counts for at most 3 sd above its usual 10.
        // Its share of the group (10 of 160) of this month's 190 is 11.9.
        let usual = 190.0 / 16.0;
        let capped = usual + 3.0 * (usual + 1.0_f64).sqrt();
        assert!(
            (totals[0][12] - (50.0 + capped)).abs() < 1e-9,
            "{:?}",
            totals[0]
        );
        assert!(totals[0][12] < 73.0);
    }

    #[test]
    fn money_flags_only_what_the_usual_spread_cannot_explain() {
        // Monthly money varies threefold from month to month.
        let usual: Vec<f64> = (0..25)
            .map(|t| [1e9, 3e9, 0.5e9, 2e9, 1.5e9, 0.8e9][t % 6])
            .collect();
        let money = |x: f64| {
            check(
                &Series::Amount {
                    values: &ending_with(usual.clone(), x),
                },
                24,
                &Settings::default(),
            )
        };
        assert_eq!(money(1e14).verdict, RISE);
        assert_eq!(
            money(1.3e10).verdict,
            Verdict::Normal,
            "ten times the median is seen"
        );
        let sparse = [
            0.0, 0.0, 5e8, 0.0, 0.0, 0.0, 2e9, 0.0, 0.0, 0.0, 0.0, 0.0, 9e10,
        ];
        let c = check(
            &Series::Amount { values: &sparse },
            12,
            &Settings::default(),
        );
        assert_eq!(c.verdict, Verdict::TooShort);
    }

    #[test]
    fn the_band_holds_exactly_the_values_that_are_not_flagged() {
        let peers = seasonal(600.0, 25);
        let unit = seasonal(30.0, 25);
        for x in 0..90 {
            let c = count(&ending_with(unit.clone(), f64::from(x)), &peers);
            let inside = c.low <= c.observed && c.observed <= c.high;
            assert_eq!(inside, c.verdict == Verdict::Normal, "{c:?}");
        }
        let totals = vec![30.0; 25];
        let hits = vec![9.0; 25];
        for x in 0..=30 {
            let hits = ending_with(hits.clone(), f64::from(x));
            let c = check(
                &Series::Rate {
                    hits: &hits,
                    totals: &totals,
                    peers: None,
                },
                24,
                &Settings::default(),
            );
            let inside = c.low <= c.observed && c.observed <= c.high;
            assert_eq!(inside, c.verdict == Verdict::Normal, "{c:?}");
        }
    }

    #[test]
    fn the_threshold_rule_is_the_mean_plus_or_minus_three_standard_deviations() {
        // Mean 10, sample standard deviation 2 over the last 12 months.
        let mut values = [8.0, 12.0].repeat(6);
        let sd = (48.0_f64 / 11.0).sqrt();
        values.push(10.0 + 3.0 * sd + 0.01);
        let c = threshold_rule(&values, 12, 12, 3.0);
        assert_eq!(c.verdict, RISE);
        assert!((c.expected - 10.0).abs() < 1e-12 && (c.high - (10.0 + 3.0 * sd)).abs() < 1e-12);
        values[12] = 10.0 - 3.0 * sd + 0.01;
        assert_eq!(
            threshold_rule(&values, 12, 12, 3.0).verdict,
            Verdict::Normal
        );
        // A series that never moved flags any change, however small: the rule's weakness.
        let flat = ending_with(vec![0.0; 13], 1.0);
        assert_eq!(threshold_rule(&flat, 12, 12, 3.0).verdict, RISE);
    }

    #[test]
    fn a_group_flags_the_member_that_left_its_peers_and_no_other() {
        // Five provinces with the same seasonal pattern at different sizes; in the last month
        // province 2 doubles while the others follow the season.
        let season = |m: usize| 1.0 + 0.5 * ((m % 12) as f64 / 11.0);
        let sizes = [10.0, 25.0, 40.0, 60.0, 90.0];
        let series: Vec<Vec<f64>> = sizes
            .iter()
            .enumerate()
            .map(|(i, size)| {
                (0..24)
                    .map(|m| {
                        let v = (size * season(m)).round();
                        if i == 2 && m == 23 { v * 2.0 } else { v }
                    })
                    .collect()
            })
            .collect();
        let rows: Vec<&[f64]> = series.iter().map(Vec::as_slice).collect();
        let settings = Settings::for_tier(0.01, 34);
        let group = Group::new(Watched::CasesOpened, rows, Vec::new(), &settings);
        for i in 0..5 {
            let c = group.check(i, 23, &settings);
            if i == 2 {
                assert_eq!(c.verdict, RISE, "{c:?}");
                assert!(c.observed > c.high && c.expected < c.high);
            } else {
                assert!(c.verdict.anomaly().is_none(), "member {i}: {c:?}");
            }
        }
        // A violation rate that jumps in one member against steady peers.
        let hits: Vec<Vec<f64>> = (0..4)
            .map(|i| {
                (0..24)
                    .map(|m| if i == 0 && m == 23 { 30.0 } else { 6.0 })
                    .collect()
            })
            .collect();
        let totals: Vec<Vec<f64>> = (0..4).map(|_| vec![40.0; 24]).collect();
        let group = Group::new(
            Watched::ViolationRate,
            hits.iter().map(Vec::as_slice).collect(),
            totals.iter().map(Vec::as_slice).collect(),
            &settings,
        );
        assert_eq!(group.check(0, 23, &settings).verdict, RISE);
        assert!(group.check(1, 23, &settings).verdict.anomaly().is_none());
        assert_eq!(Watched::ViolationRate.as_str(), "violation_rate");
    }
}
