//! Order statistics with linear interpolation.

/// The `p` quantile (0..=1) of `sorted` values, interpolating linearly
/// between the two nearest ranks; `None` for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let (lo, hi) = (sorted[below.min(last)], sorted[above.min(last)]);
    Some(lo + (hi - lo) * (rank - below as f64))
}

/// The median of `sorted` values: the middle one, or the mean of the two.
pub fn median(sorted: &[f64]) -> Option<f64> {
    percentile(sorted, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[1.0, 3.0, 10.0]), Some(3.0));
        assert_eq!(median(&[1.0, 3.0, 10.0, 20.0]), Some(6.5));
        // p90 of 1..=10: rank 8.1 → 9 + 0.1 × (10 − 9).
        let one_to_ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let p90 = percentile(&one_to_ten, 0.9).unwrap_or_default();
        assert!((p90 - 9.1).abs() < 1e-9, "{p90}");
        assert_eq!(percentile(&one_to_ten, 0.0), Some(1.0));
        assert_eq!(percentile(&one_to_ten, 1.0), Some(10.0));
    }

    proptest! {
        #[test]
        fn quantiles_stay_within_the_values(mut v in proptest::collection::vec(-1e6f64..1e6, 1..200), p in 0.0f64..=1.0) {
            v.sort_unstable_by(f64::total_cmp);
            let q = percentile(&v, p).unwrap_or(f64::NAN);
            prop_assert!(q >= v[0] && q <= v[v.len() - 1]);
            let m = median(&v).unwrap_or(f64::NAN);
            let below = v.iter().filter(|x| **x < m).count();
            let above = v.iter().filter(|x| **x > m).count();
            prop_assert!(below <= v.len() / 2 && above <= v.len() / 2);
        }
    }
}
