//! Countries, as usage locations and where products are sold.

use super::{Invalid, excerpt};
use std::fmt;

/// ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// `ISO_3166_ALPHA2` as a table indexed by the two letters: parsing runs for every
/// row read back from the database, so it must not search a list.
const ASSIGNED_COUNTRIES: [bool; 26 * 26] = {
    let list = ISO_3166_ALPHA2.as_bytes();
    let mut table = [false; 26 * 26];
    let mut i = 0;
    while i + 1 < list.len() {
        table[(list[i] - b'A') as usize * 26 + (list[i + 1] - b'A') as usize] = true;
        i += 3;
    }
    table
};

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().as_bytes() {
            &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
                if ASSIGNED_COUNTRIES[(a - b'A') as usize * 26 + (b - b'A') as usize] {
                    return Ok(Self([a, b]));
                }
            }
            _ => {}
        }
        Err(Invalid::new("invalid-country", format!("{} is not an ISO 3166-1 alpha-2 country code", excerpt(s)))
            .arg("value", excerpt(s)))
    }

    /// Every assigned code, in alphabetical order.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        ISO_3166_ALPHA2.split(' ').filter_map(|c| Self::parse(c).ok())
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_must_be_assigned() {
        assert_eq!(CountryCode::parse("fr").map(|c| c.to_string()), Ok("FR".into()));
        for bad in ["XX", "FRA", "F", "", "1A", "ZZ", "é", "Fé"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?}");
        }
        let listed: Vec<&str> = ISO_3166_ALPHA2.split(' ').collect();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap_or_default();
                assert_eq!(CountryCode::parse(&code).is_ok(), listed.contains(&code.as_str()), "{code}");
            }
        }
    }
}
