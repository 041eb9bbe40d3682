//! A sparkline: a small line of a monthly series, its last point marked, no axes (the tile
//! around it says what it is and gives the figures).

use leptos::prelude::*;

const W: f64 = 120.0;
const H: f64 = 32.0;

/// The polyline points of `values` in a `W`×`H` box (the highest value at the top; a flat series
/// in the middle).
pub fn points(values: &[i64]) -> Vec<(f64, f64)> {
    let max = values.iter().copied().max().unwrap_or(0);
    let min = values.iter().copied().min().unwrap_or(0).min(0);
    let span = (max - min) as f64;
    let step = if values.len() > 1 {
        W / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = if span > 0.0 {
                H - 2.0 - (*v - min) as f64 / span * (H - 4.0)
            } else {
                H / 2.0
            };
            (i as f64 * step, y)
        })
        .collect()
}

#[component]
pub fn Sparkline(values: Vec<i64>, #[prop(into)] label: String) -> impl IntoView {
    let pts = points(&values);
    let line = pts
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let area = format!("0,{H} {line} {W},{H}");
    let data = values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",");
    view! {
        <svg class="spark" viewBox=format!("-2 0 {} {H}", W + 4.0) preserveAspectRatio="none"
            role="img" aria-label=label data-values=data>
            <polygon class="spark-area" points=area/>
            <polyline class="spark-line" points=line/>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_value_is_at_the_top_and_the_series_spans_the_width() {
        let p = points(&[0, 5, 10]);
        assert_eq!(p[0], (0.0, H - 2.0));
        assert_eq!(p[1].0, W / 2.0);
        assert_eq!(p[2], (W, 2.0));
    }

    #[test]
    fn a_flat_series_sits_in_the_middle() {
        assert!(points(&[0, 0, 0]).iter().all(|(_, y)| *y == H / 2.0));
        assert!(points(&[]).is_empty());
    }
}
