//! Council branding: the name and colour a council puts on Doorstep's header.
//!
//! The header shows white text on the council colour, so a colour is only
//! accepted when that text meets WCAG 2.2 AA contrast (4.5:1). A council
//! cannot brand Doorstep into an inaccessible product by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

/// WCAG 2.2 success criterion 1.4.3: normal text needs 4.5:1.
pub const MINIMUM_HEADER_CONTRAST: f64 = 4.5;

/// The name used until a council sets its own.
pub const DEFAULT_COUNCIL_NAME: &str = "Your council";

/// A dark blue with 8.6:1 contrast against white text.
pub const DEFAULT_COUNCIL_COLOUR: &str = "#1d4f91";

const MAXIMUM_NAME_LENGTH: usize = 80;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BrandingError {
    #[error(
        "The council name is empty. Set it to the name residents know, such as \"Example Borough Council\"."
    )]
    EmptyName,
    #[error(
        "The council name is {0} characters long. Use at most {MAXIMUM_NAME_LENGTH} so it fits the header."
    )]
    NameTooLong(usize),
    #[error("\"{0}\" is not a colour. Write it as # and six hexadecimal digits, such as #1d4f91.")]
    NotAColour(String),
    #[error(
        "White header text on {colour} has a contrast of {contrast:.2}:1, below the 4.5:1 that WCAG 2.2 AA needs. Choose a darker colour."
    )]
    ContrastTooLow { colour: String, contrast: f64 },
}

/// An sRGB colour written as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexColour {
    red: u8,
    green: u8,
    blue: u8,
}

impl HexColour {
    pub fn parse(text: &str) -> Result<Self, BrandingError> {
        let not_a_colour = || BrandingError::NotAColour(text.to_owned());
        let digits = text.trim().strip_prefix('#').ok_or_else(not_a_colour)?;
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(not_a_colour());
        }
        let channel = |range: std::ops::Range<usize>| {
            u8::from_str_radix(&digits[range], 16).map_err(|_| not_a_colour())
        };
        Ok(Self {
            red: channel(0..2)?,
            green: channel(2..4)?,
            blue: channel(4..6)?,
        })
    }

    /// Relative luminance as defined by WCAG 2.2.
    pub fn relative_luminance(self) -> f64 {
        fn linear(channel: u8) -> f64 {
            let srgb = f64::from(channel) / 255.0;
            if srgb <= 0.040_45 {
                srgb / 12.92
            } else {
                ((srgb + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.red) + 0.7152 * linear(self.green) + 0.0722 * linear(self.blue)
    }

    /// The WCAG contrast ratio between this colour and another, from 1 to 21.
    pub fn contrast_with(self, other: HexColour) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (lighter, darker) = if a > b { (a, b) } else { (b, a) };
        (lighter + 0.05) / (darker + 0.05)
    }

    pub const WHITE: HexColour = HexColour {
        red: 255,
        green: 255,
        blue: 255,
    };
}

impl fmt::Display for HexColour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.red, self.green, self.blue)
    }
}

/// The council's name and header colour, already checked for accessibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedBranding", into = "UncheckedBranding")]
pub struct CouncilBranding {
    name: String,
    colour: HexColour,
}

impl CouncilBranding {
    pub fn new(name: &str, colour: &str) -> Result<Self, BrandingError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(BrandingError::EmptyName);
        }
        let length = name.chars().count();
        if length > MAXIMUM_NAME_LENGTH {
            return Err(BrandingError::NameTooLong(length));
        }
        let colour = HexColour::parse(colour)?;
        let contrast = colour.contrast_with(HexColour::WHITE);
        if contrast < MINIMUM_HEADER_CONTRAST {
            return Err(BrandingError::ContrastTooLow {
                colour: colour.to_string(),
                contrast,
            });
        }
        Ok(Self {
            name: name.to_owned(),
            colour,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn colour(&self) -> HexColour {
        self.colour
    }
}

impl Default for CouncilBranding {
    fn default() -> Self {
        Self {
            name: DEFAULT_COUNCIL_NAME.to_owned(),
            colour: HexColour {
                red: 0x1d,
                green: 0x4f,
                blue: 0x91,
            },
        }
    }
}

/// The wire and file form; it becomes a [`CouncilBranding`] only through validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UncheckedBranding {
    name: String,
    colour: String,
}

impl TryFrom<UncheckedBranding> for CouncilBranding {
    type Error = BrandingError;

    fn try_from(unchecked: UncheckedBranding) -> Result<Self, Self::Error> {
        CouncilBranding::new(&unchecked.name, &unchecked.colour)
    }
}

impl From<CouncilBranding> for UncheckedBranding {
    fn from(branding: CouncilBranding) -> Self {
        Self {
            name: branding.name,
            colour: branding.colour.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_council_brands_doorstep_with_its_name_and_a_dark_colour() {
        let branding = CouncilBranding::new("  Example Borough Council ", "#0B0C0C").unwrap();
        assert_eq!(branding.name(), "Example Borough Council");
        assert_eq!(branding.colour().to_string(), "#0b0c0c");
    }

    #[test]
    fn a_pale_colour_is_refused_because_white_text_would_be_unreadable() {
        let error = CouncilBranding::new("Example Borough Council", "#ffdd00").unwrap_err();
        match &error {
            BrandingError::ContrastTooLow { colour, contrast } => {
                assert_eq!(colour, "#ffdd00");
                assert!(
                    *contrast < 1.5,
                    "yellow on white is about 1.3:1, got {contrast}"
                );
            }
            other => panic!("expected a contrast error, got {other:?}"),
        }
        assert!(error.to_string().contains("Choose a darker colour"));
    }

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        let black = HexColour::parse("#000000").unwrap();
        assert!((black.contrast_with(HexColour::WHITE) - 21.0).abs() < 1e-9);
        assert!((HexColour::WHITE.contrast_with(HexColour::WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the lightest grey that passes 4.5:1 on white.
        let grey = HexColour::parse("#767676").unwrap();
        let contrast = grey.contrast_with(HexColour::WHITE);
        assert!((4.5..4.6).contains(&contrast), "got {contrast}");
    }

    #[test]
    fn malformed_colours_and_names_get_messages_that_say_what_to_do() {
        for bad in ["1d4f91", "#1d4f9", "#1d4f9g", "blue", "", "#ffffffff"] {
            let error = HexColour::parse(bad).unwrap_err();
            assert_eq!(error, BrandingError::NotAColour(bad.to_owned()));
            assert!(error.to_string().contains("such as #1d4f91"));
        }
        assert_eq!(
            CouncilBranding::new("   ", "#1d4f91"),
            Err(BrandingError::EmptyName)
        );
        let long_name = "A".repeat(81);
        assert_eq!(
            CouncilBranding::new(&long_name, "#1d4f91"),
            Err(BrandingError::NameTooLong(81))
        );
    }

    #[test]
    fn the_default_branding_passes_its_own_rules() {
        let default = CouncilBranding::default();
        assert_eq!(
            CouncilBranding::new(DEFAULT_COUNCIL_NAME, DEFAULT_COUNCIL_COLOUR).unwrap(),
            default
        );
    }

    #[test]
    fn branding_read_from_json_is_validated_too() {
        let good: CouncilBranding =
            serde_json::from_str(r##"{"name":"Example Borough Council","colour":"#1d4f91"}"##)
                .unwrap();
        assert_eq!(good.name(), "Example Borough Council");
        let bad = serde_json::from_str::<CouncilBranding>(r##"{"name":"X","colour":"#ffffff"}"##);
        assert!(bad.unwrap_err().to_string().contains("contrast"));
        assert_eq!(
            serde_json::to_value(&good).unwrap(),
            serde_json::json!({"name": "Example Borough Council", "colour": "#1d4f91"})
        );
    }
}
