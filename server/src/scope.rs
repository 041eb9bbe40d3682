//! Scope, the security boundary: a caller sees and writes only its scope unit and that unit's
//! subtree. Every fact row carries the ltree `path` of its unit; a query is limited to the scope by
//! binding [`Scope::path`] as `path <@ $n::ltree`. Handlers get a [`Scope`] only through
//! [`crate::auth::Caller`], and resolve any unit the client names through [`Scope::unit_within`].
//!
//! That is the first wall. The second is PostgreSQL's row-level security: handlers read people's
//! data through [`Scope::read`], a transaction in which the database itself shows only the rows
//! within the scope ([`crate::db::scoped`], migration 0011), whatever the query's own filter says.

use crate::db::scoped::{self, ScopedRead};
use crate::http::Error;
use domain::UnitLevel;
use sqlx::PgPool;

/// A unit and its subtree: what a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The scope unit's code.
    pub unit: String,
    /// Its ltree path, as text.
    pub path: String,
    pub name: String,
    pub level: UnitLevel,
}

/// A unit that a caller named and may see.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedUnit {
    pub code: String,
    pub path: String,
    pub name: String,
    pub level: UnitLevel,
}

impl ScopedUnit {
    /// A read through both walls limited to this unit's subtree (for work done for a unit rather
    /// than for a caller: a scheduled report).
    pub async fn read(&self, pool: &PgPool) -> Result<ScopedRead, Error> {
        Ok(scoped::begin(pool, &self.path).await?)
    }
}

impl Scope {
    /// The scope of unit `code`.
    pub async fn of_unit(pool: &PgPool, code: &str) -> Result<Scope, Error> {
        let u = load_unit(pool, code)
            .await?
            .ok_or(Error::NotFound("unit"))?;
        Ok(Scope {
            unit: u.code,
            path: u.path,
            name: u.name,
            level: u.level,
        })
    }

    /// The ltree path to bind as `path <@ $n::ltree`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A read through both walls: a transaction in which PostgreSQL shows only the rows within
    /// this scope. Keep the queries' own `path <@` filters; [`scoped::finish`] it when done.
    pub async fn read(&self, pool: &PgPool) -> Result<ScopedRead, Error> {
        Ok(scoped::begin(pool, &self.path).await?)
    }

    /// The scope unit itself.
    pub fn root(&self) -> ScopedUnit {
        ScopedUnit {
            code: self.unit.clone(),
            path: self.path.clone(),
            name: self.name.clone(),
            level: self.level,
        }
    }

    /// The unit a client named in `field`, if it exists and lies within this scope; `None` names
    /// the scope unit itself. Outside the scope is 403; the field is named either way.
    pub async fn unit_within(
        &self,
        pool: &PgPool,
        field: &'static str,
        code: Option<&str>,
    ) -> Result<ScopedUnit, Error> {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(self.root());
        };
        let code =
            domain::UnitCode::parse(code).map_err(|e| Error::invalid(field, e.to_string()))?;
        let unit = load_unit(pool, code.as_str())
            .await?
            .ok_or_else(|| Error::invalid(field, format!("no unit has the code '{code}'")))?;
        if !self.contains_path(&unit.path) {
            return Err(Error::Forbidden(format!(
                "{field}: unit '{code}' is outside your scope ({})",
                self.unit
            )));
        }
        Ok(unit)
    }

    /// Whether a unit path lies within this scope (the same rule as ltree's `<@`).
    pub fn contains_path(&self, path: &str) -> bool {
        path == self.path
            || (path.len() > self.path.len()
                && path.starts_with(&self.path)
                && path.as_bytes()[self.path.len()] == b'.')
    }
}

async fn load_unit(pool: &PgPool, code: &str) -> Result<Option<ScopedUnit>, Error> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT code, path::text, name, level FROM unit WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(code, path, name, level)| ScopedUnit {
        code,
        path,
        name,
        level: level.parse().unwrap_or(UnitLevel::Cell),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(path: &str) -> Scope {
        Scope {
            unit: "x".into(),
            path: path.into(),
            name: String::new(),
            level: UnitLevel::Province,
        }
    }

    #[test]
    fn a_scope_contains_its_subtree_only() {
        let s = scope("VN.01");
        assert!(s.contains_path("VN.01"));
        assert!(s.contains_path("VN.01.00004"));
        assert!(s.contains_path("VN.01.00004.00004_03"));
        assert!(!s.contains_path("VN.79.26734"));
        assert!(!s.contains_path("VN"));
        // A sibling whose code starts with the same characters is not inside.
        assert!(!scope("VN.TW1").contains_path("VN.TW10"));
    }
}
