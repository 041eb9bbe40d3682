//! How numbers and dates are written: vi-VN (`1.234.567`, `12,5`, dd/mm/yyyy) or English.

use chrono::NaiveDate;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    En,
}

impl Lang {
    /// The BCP 47 tag (`vi`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Reads a tag; anything but English is Vietnamese.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    fn separators(self) -> (char, char) {
        match self {
            Lang::Vi => ('.', ','),
            Lang::En => (',', '.'),
        }
    }
}

/// An integer with thousands grouped: `1.234.567` in Vietnamese, `1,234,567` in English.
pub fn integer(n: i64, lang: Lang) -> String {
    let (group, _) = lang.separators();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    out
}

/// A decimal with `places` digits after the separator: `12,5` in Vietnamese, `12.5` in English.
pub fn decimal(x: f64, places: usize, lang: Lang) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let (_, point) = lang.separators();
    let s = format!("{:.*}", places, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let int: i64 = int.parse().unwrap_or(0);
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let mut out = format!("{sign}{}", integer(int, lang));
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A signed percentage change, e.g. `+12,5%` or `−3,0%`.
pub fn change_pct(x: f64, lang: Lang) -> String {
    let body = decimal(x.abs(), 1, lang);
    let sign = if x > 0.0005 {
        "+"
    } else if x < -0.0005 {
        "−"
    } else {
        ""
    };
    format!("{sign}{body}%")
}

/// A share from 0 to 1 as a percentage with one decimal: `93,5%` / `93.5%`; `–` for none.
pub fn percent(share: Option<f64>, lang: Lang) -> String {
    match share {
        Some(x) if x.is_finite() => format!("{}%", decimal(x * 100.0, 1, lang)),
        _ => "–".into(),
    }
}

/// How long ago, from hours: `vừa xong` / `just now` under a minute, then minutes, hours (under
/// two days) or days.
pub fn ago(hours: f64, lang: Lang) -> String {
    let minutes = (hours * 60.0).round().max(0.0) as i64;
    let (n, vi, en) = if minutes < 1 {
        return match lang {
            Lang::Vi => "vừa xong".into(),
            Lang::En => "just now".into(),
        };
    } else if minutes < 60 {
        (minutes, "phút", "min")
    } else if hours < 48.0 {
        (hours.floor() as i64, "giờ", "h")
    } else {
        ((hours / 24.0).floor() as i64, "ngày", "days")
    };
    match lang {
        Lang::Vi => format!("{} {vi} trước", integer(n, lang)),
        Lang::En => format!("{} {en} ago", integer(n, lang)),
    }
}

/// An amount of đồng in words a leader reads at a glance: `12,3 tỷ đ` / `VND 12.3 bn`.
pub fn vnd(amount: i64, lang: Lang) -> String {
    let a = amount as f64;
    match lang {
        Lang::Vi if a >= 1e9 => format!("{} tỷ đ", decimal(a / 1e9, 1, lang)),
        Lang::Vi if a >= 1e6 => format!("{} triệu đ", decimal(a / 1e6, 1, lang)),
        Lang::Vi => format!("{} đ", integer(amount, lang)),
        Lang::En if a >= 1e9 => format!("VND {} bn", decimal(a / 1e9, 1, lang)),
        Lang::En if a >= 1e6 => format!("VND {} m", decimal(a / 1e6, 1, lang)),
        Lang::En => format!("VND {}", integer(amount, lang)),
    }
}

/// An amount of đồng as a figure and its unit, for large type: `("12,3", "tỷ đ")` / `("12.3", "bn VND")`.
pub fn vnd_parts(amount: i64, lang: Lang) -> (String, &'static str) {
    let a = amount as f64;
    match lang {
        Lang::Vi if a >= 1e9 => (decimal(a / 1e9, 1, lang), "tỷ đ"),
        Lang::Vi if a >= 1e6 => (decimal(a / 1e6, 1, lang), "triệu đ"),
        Lang::Vi => (integer(amount, lang), "đ"),
        Lang::En if a >= 1e9 => (decimal(a / 1e9, 1, lang), "bn VND"),
        Lang::En if a >= 1e6 => (decimal(a / 1e6, 1, lang), "m VND"),
        Lang::En => (integer(amount, lang), "VND"),
    }
}

/// A moment (RFC 3339) as Vietnam's local time (UTC+7), `dd/mm/yyyy HH:MM`.
pub fn local_time(rfc3339: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let vn = chrono::FixedOffset::east_opt(7 * 3600)?;
    Some(t.with_timezone(&vn).format("%d/%m/%Y %H:%M").to_string())
}

/// A moment (milliseconds since the epoch) on Vietnam's clock (UTC+7, whatever the device's
/// zone): `("14:05", "14:05:09", "26/11/2026")`.
pub fn vn_clock(epoch_ms: i64) -> Option<(String, String, String)> {
    let t = chrono::DateTime::from_timestamp_millis(epoch_ms)?;
    let vn = chrono::FixedOffset::east_opt(7 * 3600)?;
    let t = t.with_timezone(&vn);
    Some((
        t.format("%H:%M").to_string(),
        t.format("%H:%M:%S").to_string(),
        t.format("%d/%m/%Y").to_string(),
    ))
}

/// A date as dd/mm/yyyy (both languages, as the brief asks).
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wall_clock_is_vietnam_time() {
        // 2026-11-25T17:30:05Z is 00:30:05 the next day in Hà Nội.
        let ms = chrono::DateTime::parse_from_rfc3339("2026-11-25T17:30:05Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            vn_clock(ms),
            Some(("00:30".into(), "00:30:05".into(), "26/11/2026".into()))
        );
    }

    #[test]
    fn shares_are_percentages_and_hours_read_as_how_long_ago() {
        assert_eq!(percent(Some(0.935), Lang::Vi), "93,5%");
        assert_eq!(percent(Some(1.0), Lang::En), "100.0%");
        assert_eq!(percent(None, Lang::Vi), "–");
        assert_eq!(ago(0.001, Lang::Vi), "vừa xong");
        assert_eq!(ago(0.5, Lang::En), "30 min ago");
        assert_eq!(ago(26.7, Lang::Vi), "26 giờ trước");
        assert_eq!(ago(100.0, Lang::En), "4 days ago");
        assert_eq!(ago(24.0 * 1500.0, Lang::Vi), "1.500 ngày trước");
    }

    #[test]
    fn integers_group_thousands_the_vietnamese_way() {
        assert_eq!(integer(1_234_567, Lang::Vi), "1.234.567");
        assert_eq!(integer(1_234_567, Lang::En), "1,234,567");
        assert_eq!(integer(999, Lang::Vi), "999");
        assert_eq!(integer(-12_000, Lang::Vi), "-12.000");
        assert_eq!(integer(0, Lang::Vi), "0");
    }

    #[test]
    fn decimals_use_a_comma_in_vietnamese() {
        assert_eq!(decimal(12.46, 1, Lang::Vi), "12,5");
        assert_eq!(decimal(1234.5, 1, Lang::En), "1,234.5");
        assert_eq!(decimal(-0.04, 1, Lang::Vi), "0,0");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(change_pct(12.5, Lang::Vi), "+12,5%");
        assert_eq!(change_pct(-3.0, Lang::En), "−3.0%");
        assert_eq!(change_pct(0.0, Lang::Vi), "0,0%");
    }

    #[test]
    fn money_reads_in_billions() {
        assert_eq!(vnd(12_345_000_000, Lang::Vi), "12,3 tỷ đ");
        assert_eq!(vnd(12_345_000_000, Lang::En), "VND 12.3 bn");
        assert_eq!(vnd(5_500_000, Lang::Vi), "5,5 triệu đ");
    }

    #[test]
    fn money_splits_into_figure_and_unit() {
        assert_eq!(
            vnd_parts(227_028_919_000, Lang::Vi),
            ("227,0".to_string(), "tỷ đ")
        );
        assert_eq!(
            vnd_parts(227_028_919_000, Lang::En),
            ("227.0".to_string(), "bn VND")
        );
        assert_eq!(vnd_parts(950, Lang::Vi), ("950".to_string(), "đ"));
    }

    #[test]
    fn dates_are_day_month_year() {
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 3, 7).unwrap()),
            "07/03/2026"
        );
    }

    #[test]
    fn moments_are_shown_in_vietnam_time() {
        assert_eq!(
            local_time("2026-11-24T18:30:00+00:00").as_deref(),
            Some("25/11/2026 01:30")
        );
        assert_eq!(local_time("yesterday"), None);
    }

    #[test]
    fn tags_default_to_vietnamese() {
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("vi"), Lang::Vi);
        assert_eq!(Lang::from_tag("fr"), Lang::Vi);
    }
}

/// Text folded for searching: lower case, Vietnamese diacritics removed ("Hà Nội" -> "ha noi"),
/// so a search typed without accents still finds a name.
pub fn fold(s: &str) -> String {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    s.chars()
        .flat_map(char::to_lowercase)
        // Combining marks, when the text came decomposed.
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| {
            GROUPS
                .iter()
                .find(|(g, _)| g.contains(c))
                .map_or(c, |(_, base)| *base)
        })
        .collect()
}

#[cfg(test)]
mod fold_tests {
    use super::fold;

    #[test]
    fn names_fold_to_plain_letters() {
        assert_eq!(fold("Thành phố Hà Nội"), "thanh pho ha noi");
        assert_eq!(fold("ĐẮK LẮK"), "dak lak");
        assert_eq!(fold("Thừa Thiên Huế"), "thua thien hue");
        // Decomposed input (a + combining grave).
        assert_eq!(fold("Ha\u{300}"), "ha");
    }
}
