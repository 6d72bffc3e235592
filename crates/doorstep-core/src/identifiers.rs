//! UK identifiers a caseworker types in: NHS number, National Insurance
//! number, postcode and UPRN.
//!
//! Each type can only be built by parsing, so holding one means it is valid.
//! Parsing accepts what people type (spaces, lower case) and stores one
//! canonical form. Error messages follow the GOV.UK Design System's style:
//! they say what to enter, with an example.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("Enter an NHS number")]
    NhsNumberEmpty,
    #[error("NHS number must be 10 digits, like 943 476 5919")]
    NhsNumberFormat,
    #[error(
        "Check the NHS number: it is not a valid number. The last digit does not match the others"
    )]
    NhsNumberCheckDigit,
    #[error("Enter a National Insurance number")]
    NiNumberEmpty,
    #[error("Enter a National Insurance number in the correct format, like QQ 12 34 56 C")]
    NiNumberFormat,
    #[error("Check the National Insurance number: no number starts with {0}")]
    NiNumberPrefix(String),
    #[error("Enter a postcode")]
    PostcodeEmpty,
    #[error("Enter a real postcode, like SW1A 1AA")]
    PostcodeFormat,
    #[error("Enter a UPRN")]
    UprnEmpty,
    #[error("UPRN must be a number of up to 12 digits, like 100023336956")]
    UprnFormat,
}

/// Strips the spaces people type, keeping every other character for checking.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An NHS number whose check digit is correct, stored as 10 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Weights 10 down to 2 over the first nine digits; the check digit is
    /// 11 minus the sum mod 11, where 11 means 0 and 10 means no valid number.
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let digits = compact(text);
        if digits.is_empty() {
            return Err(IdentifierError::NhsNumberEmpty);
        }
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::NhsNumberFormat);
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = values[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => return Err(IdentifierError::NhsNumberCheckDigit),
            check => check,
        };
        if check != values[9] {
            return Err(IdentifierError::NhsNumberCheckDigit);
        }
        Ok(Self(digits))
    }

    /// The 10 digits with no spaces, as systems exchange them.
    pub fn as_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NhsNumber {
    /// 3-3-4, as printed on NHS letters and cards.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

/// A National Insurance number, stored as 9 upper-case characters without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NiNumber(String);

const NI_NEVER_A_PREFIX_LETTER: &[u8] = b"DFIQUV";
const NI_NEVER_ISSUED_PREFIXES: &[&str] = &["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

impl NiNumber {
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = compact(text).to_ascii_uppercase();
        if text.is_empty() {
            return Err(IdentifierError::NiNumberEmpty);
        }
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 9
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..8].iter().all(u8::is_ascii_digit)
            && matches!(bytes[8], b'A'..=b'D');
        if !well_formed {
            return Err(IdentifierError::NiNumberFormat);
        }
        let prefix = &text[..2];
        let refused = bytes[..2]
            .iter()
            .any(|letter| NI_NEVER_A_PREFIX_LETTER.contains(letter))
            || bytes[1] == b'O'
            || NI_NEVER_ISSUED_PREFIXES.contains(&prefix);
        if refused {
            return Err(IdentifierError::NiNumberPrefix(prefix.to_owned()));
        }
        Ok(Self(text))
    }

    pub fn as_compact(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NiNumber {
    /// `QQ 12 34 56 C`, as printed on HMRC and DWP letters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(
            f,
            "{} {} {} {} {}",
            &s[..2],
            &s[2..4],
            &s[4..6],
            &s[6..8],
            &s[8..]
        )
    }
}

/// A UK postcode in its canonical form: upper case, one space before the inward code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let text = compact(text).to_ascii_uppercase();
        if text.is_empty() {
            return Err(IdentifierError::PostcodeEmpty);
        }
        if text == "GIR0AA" {
            return Ok(Self("GIR 0AA".to_owned()));
        }
        if text.len() < 5 || text.len() > 7 || !text.is_ascii() {
            return Err(IdentifierError::PostcodeFormat);
        }
        let (outward, inward) = text.split_at(text.len() - 3);
        if !valid_inward(inward.as_bytes()) || !valid_outward(outward.as_bytes()) {
            return Err(IdentifierError::PostcodeFormat);
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or_default()
    }
}

/// `9AA`, where neither letter is C, I, K, M, O or V.
fn valid_inward(inward: &[u8]) -> bool {
    let letter = |b: u8| b.is_ascii_uppercase() && !b"CIKMOV".contains(&b);
    inward.len() == 3 && inward[0].is_ascii_digit() && letter(inward[1]) && letter(inward[2])
}

/// A9, A99, AA9, AA99, A9A or AA9A; the first letter is never Q, V or X and
/// the second never I, J or Z.
fn valid_outward(outward: &[u8]) -> bool {
    let first = |b: u8| b.is_ascii_uppercase() && !b"QVX".contains(&b);
    let second = |b: u8| b.is_ascii_uppercase() && !b"IJZ".contains(&b);
    let digit = |b: u8| b.is_ascii_digit();
    let letter = |b: u8| b.is_ascii_uppercase();
    match *outward {
        [a, n] => first(a) && digit(n),
        [a, n, m] if digit(n) => first(a) && (digit(m) || letter(m)),
        [a, b, n] => first(a) && second(b) && digit(n),
        [a, b, n, m] => first(a) && second(b) && digit(n) && (digit(m) || letter(m)),
        _ => false,
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Unique Property Reference Number. Kept as text so leading zeros survive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uprn(String);

impl Uprn {
    pub fn parse(text: &str) -> Result<Self, IdentifierError> {
        let digits = compact(text);
        if digits.is_empty() {
            return Err(IdentifierError::UprnEmpty);
        }
        if digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::UprnFormat);
        }
        Ok(Self(digits))
    }
}

impl fmt::Display for Uprn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = IdentifierError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    )*};
}
string_conversions!(NhsNumber, NiNumber, Postcode, Uprn);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nhs_number_typed_with_spaces_is_accepted_and_shown_3_3_4() {
        let number = NhsNumber::parse(" 943 476 5919 ").unwrap();
        assert_eq!(number.as_digits(), "9434765919");
        assert_eq!(number.to_string(), "943 476 5919");
        // Check digit 0 comes from a remainder of 0 (11 - 0 = 11 -> 0).
        assert_eq!(
            NhsNumber::parse("4010232137").unwrap().as_digits(),
            "4010232137"
        );
    }

    #[test]
    fn an_nhs_number_with_a_wrong_check_digit_is_refused() {
        assert_eq!(
            NhsNumber::parse("943 476 5918"),
            Err(IdentifierError::NhsNumberCheckDigit)
        );
    }

    #[test]
    fn an_nhs_number_whose_check_would_be_10_is_never_valid() {
        // 1,2,3,4,5,6,7,8,9 weighted 10..2 sums to 210; 210 mod 11 = 1; 11 - 1 = 10.
        for last in '0'..='9' {
            assert_eq!(
                NhsNumber::parse(&format!("123456789{last}")),
                Err(IdentifierError::NhsNumberCheckDigit)
            );
        }
    }

    #[test]
    fn nhs_numbers_of_the_wrong_shape_say_what_to_enter() {
        assert_eq!(NhsNumber::parse("  "), Err(IdentifierError::NhsNumberEmpty));
        for bad in ["943476591", "94347659190", "943-476-5919", "94347659l9"] {
            let error = NhsNumber::parse(bad).unwrap_err();
            assert_eq!(error, IdentifierError::NhsNumberFormat, "{bad}");
            assert!(error.to_string().contains("like 943 476 5919"));
        }
    }

    #[test]
    fn a_national_insurance_number_is_normalised_and_shown_in_pairs() {
        let number = NiNumber::parse("ab123456c").unwrap();
        assert_eq!(number.as_compact(), "AB123456C");
        assert_eq!(number.to_string(), "AB 12 34 56 C");
        assert_eq!(
            NiNumber::parse("AB 12 34 56 D").unwrap().as_compact(),
            "AB123456D"
        );
    }

    #[test]
    fn national_insurance_prefixes_that_are_never_issued_are_refused() {
        for prefix in [
            "DA", "FA", "IA", "QA", "UA", "VA", "AD", "AF", "AI", "AQ", "AU", "AV",
        ] {
            assert_eq!(
                NiNumber::parse(&format!("{prefix}123456A")),
                Err(IdentifierError::NiNumberPrefix(prefix.to_owned())),
                "{prefix}"
            );
        }
        assert_eq!(
            NiNumber::parse("AO123456A"),
            Err(IdentifierError::NiNumberPrefix("AO".into()))
        );
        for prefix in NI_NEVER_ISSUED_PREFIXES {
            assert!(matches!(
                NiNumber::parse(&format!("{prefix}123456A")),
                Err(IdentifierError::NiNumberPrefix(_))
            ));
        }
        // O is allowed as the first letter.
        assert!(NiNumber::parse("OA123456A").is_ok());
    }

    #[test]
    fn national_insurance_numbers_of_the_wrong_shape_are_refused() {
        assert_eq!(NiNumber::parse(""), Err(IdentifierError::NiNumberEmpty));
        for bad in [
            "AB123456",
            "AB123456E",
            "AB12345C",
            "A1123456C",
            "AB1234567C",
        ] {
            assert_eq!(
                NiNumber::parse(bad),
                Err(IdentifierError::NiNumberFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn postcodes_of_every_outward_shape_are_accepted_in_canonical_form() {
        let cases = [
            ("m1 1ae", "M1 1AE"),     // A9
            ("B338TH", "B33 8TH"),    // A99
            ("CR2 6XH", "CR2 6XH"),   // AA9
            ("dn55 1pt", "DN55 1PT"), // AA99
            ("W1A 0AX", "W1A 0AX"),   // A9A
            ("ec1a1bb", "EC1A 1BB"),  // AA9A
            ("gir 0aa", "GIR 0AA"),   // the special case
        ];
        for (typed, canonical) in cases {
            assert_eq!(
                Postcode::parse(typed).unwrap().to_string(),
                canonical,
                "{typed}"
            );
        }
        assert_eq!(Postcode::parse("EC1A 1BB").unwrap().outward(), "EC1A");
    }

    #[test]
    fn postcodes_breaking_the_letter_rules_are_refused() {
        for bad in [
            "QA1 1AA",
            "VA1 1AA",
            "XA1 1AA", // first letter never Q, V, X
            "AI1 1AA",
            "AJ1 1AA",
            "AZ1 1AA", // second letter never I, J, Z
            "M1 1CA",
            "M1 1AI",
            "M1 1KA",
            "M1 1MA",
            "M1 1OA",
            "M1 1VA", // inward letters
            "M1",
            "M1 1A",
            "1M 1AA",
            "MM1AA 1AA",
            "SW1A-1AA",
            "M1 AAA",
        ] {
            assert_eq!(
                Postcode::parse(bad),
                Err(IdentifierError::PostcodeFormat),
                "{bad}"
            );
        }
        assert_eq!(Postcode::parse(" "), Err(IdentifierError::PostcodeEmpty));
    }

    #[test]
    fn a_uprn_keeps_its_leading_zeros() {
        assert_eq!(
            Uprn::parse("000012345678").unwrap().to_string(),
            "000012345678"
        );
        assert_eq!(
            Uprn::parse("100023336956").unwrap().to_string(),
            "100023336956"
        );
        assert_eq!(
            Uprn::parse("1234567890123"),
            Err(IdentifierError::UprnFormat)
        );
        assert_eq!(Uprn::parse("12a"), Err(IdentifierError::UprnFormat));
        assert_eq!(Uprn::parse(""), Err(IdentifierError::UprnEmpty));
    }

    #[test]
    fn identifiers_in_json_are_validated_on_the_way_in() {
        let number: NhsNumber = serde_json::from_str("\"943 476 5919\"").unwrap();
        assert_eq!(serde_json::to_string(&number).unwrap(), "\"9434765919\"");
        let bad = serde_json::from_str::<NiNumber>("\"ZZ123456A\"").unwrap_err();
        assert!(
            bad.to_string().contains("no number starts with ZZ"),
            "{bad}"
        );
    }
}
