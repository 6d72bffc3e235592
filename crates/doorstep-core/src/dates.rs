//! Calendar dates and instants, without a time-zone database: dates are what
//! a caseworker types (a date of birth, a due date), instants are what a
//! device clock reads. Both are plain data; reading the clock is the caller's job.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("Enter a real date in the format YYYY-MM-DD, like 2007-03-27")]
    Format,
    #[error("Enter a real date: {0} does not exist")]
    NoSuchDay(String),
}

/// A calendar date such as a date of birth or a due date, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CalendarDate {
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let text = text.trim();
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(DateError::Format);
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        if year < 1800 || month == 0 || month > 12 || day == 0 {
            return Err(DateError::NoSuchDay(text.to_owned()));
        }
        if day > u16::from(days_in_month(year, month as u8)) {
            return Err(DateError::NoSuchDay(text.to_owned()));
        }
        Ok(Self {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    /// Days since 1970-01-01, for arithmetic such as "overdue by".
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for CalendarDate {
    type Error = DateError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<CalendarDate> for String {
    fn from(date: CalendarDate) -> String {
        date.to_string()
    }
}

/// An instant read from a clock, in milliseconds since 1970-01-01 UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-28T14:05:09.123Z`.
    pub fn to_rfc3339(self) -> String {
        let days = self.0.div_euclid(86_400_000);
        let millis_of_day = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let seconds = millis_of_day / 1000;
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            seconds / 3600,
            (seconds / 60) % 60,
            seconds % 60,
            millis_of_day % 1000
        )
    }

    /// Parses the RFC 3339 UTC form that [`Timestamp::to_rfc3339`] writes
    /// (seconds and `Z` required, milliseconds optional).
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let text = text.trim();
        let (date, time) = text.split_once('T')?;
        let time = time.strip_suffix('Z')?;
        let date = CalendarDate::parse(date).ok()?;
        let (clock, fraction) = match time.split_once('.') {
            Some((clock, fraction)) => (clock, fraction),
            None => (time, "0"),
        };
        let mut parts = clock.split(':').map(|p| p.parse::<i64>().ok());
        let (hour, minute, second) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        if fraction.is_empty()
            || fraction.len() > 3
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let millis = format!("{fraction:0<3}").parse::<i64>().ok()?;
        Some(Self(
            date.days_since_epoch() * 86_400_000
                + ((hour * 60 + minute) * 60 + second) * 1000
                + millis,
        ))
    }
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dates_are_accepted_including_leap_days() {
        assert_eq!(
            CalendarDate::parse("2024-02-29").unwrap().to_string(),
            "2024-02-29"
        );
        assert_eq!(CalendarDate::parse(" 2000-02-29 ").unwrap().year(), 2000);
        assert_eq!(
            CalendarDate::parse("1970-01-01")
                .unwrap()
                .days_since_epoch(),
            0
        );
        assert_eq!(
            CalendarDate::parse("2026-11-28")
                .unwrap()
                .days_since_epoch(),
            20_785
        );
    }

    #[test]
    fn impossible_or_misshapen_dates_are_refused() {
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
        ] {
            assert!(
                matches!(CalendarDate::parse(bad), Err(DateError::NoSuchDay(_))),
                "{bad}"
            );
        }
        for bad in [
            "28/11/2026",
            "2026-1-5",
            "",
            "2026-11-28T10:00",
            "２０２６-11-28",
        ] {
            assert_eq!(CalendarDate::parse(bad), Err(DateError::Format), "{bad}");
        }
    }

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let at = Timestamp(1_795_874_709_123);
        let text = at.to_rfc3339();
        assert_eq!(text, "2026-11-28T14:05:09.123Z");
        assert_eq!(Timestamp::parse_rfc3339(&text), Some(at));
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-28T14:05:09Z"),
            Some(Timestamp(1_795_874_709_000))
        );
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00.000Z");
        for bad in [
            "2026-11-28 14:05:09Z",
            "2026-11-28T14:05:09",
            "2026-11-28T24:00:00Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }
}
