//! Figures imported from elsewhere (issue 5 §1): read from CSV ([`parse_csv`]) or sent by
//! the API, each unit checked and the importer's right on it, recorded as events with their
//! projection, and shown beside the computed figures, marked as imported.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use motcua_domain::authz::Action;
use motcua_domain::kpi::imported::{ImportedFigure, parse_csv};
use motcua_domain::kpi::period::Period;

use crate::{Acting, ServiceError, ServiceResult, Services};

/// An imported figure as shown: the figure and when it was imported.
pub type ImportedRow = (ImportedFigure, DateTime<Utc>);

impl Services {
    /// Imports figures, all or none. Each unit must exist and the importer may import its
    /// statistics ([`Action::ImportStatistics`]: system administrators everywhere, an
    /// agency's administrators and leaders within its scope). Returns how many were
    /// recorded.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the first wrong figure or unknown unit;
    /// [`ServiceError::Forbidden`]; storage failures.
    pub async fn import_kpi_figures(
        &self,
        acting: &Acting,
        figures: &[ImportedFigure],
    ) -> ServiceResult<usize> {
        if figures.is_empty() {
            return Err(ServiceError::Invalid(
                "không có số liệu nào để nhập / there are no figures to import".into(),
            ));
        }
        let current = self.current_month();
        for (i, figure) in figures.iter().enumerate() {
            let n = i + 1;
            figure
                .validate()
                .map_err(|e| ServiceError::Invalid(format!("số liệu {n} / figure {n}: {e}")))?;
            if figure.month > current {
                let m = figure.month;
                return Err(ServiceError::Invalid(format!(
                    "số liệu {n}: tháng {m} chưa bắt đầu / figure {n}: month {m} has not begun"
                )));
            }
        }
        let units: BTreeSet<&str> = figures.iter().map(|f| f.unit.trim()).collect();
        let principal = self.principal(acting).await?;
        for unit in units {
            let scope = self.kpi_scope(unit).await?;
            motcua_domain::authz::authorize(&principal, Action::ImportStatistics, &scope.target)
                .map_err(|d| ServiceError::Forbidden(d.to_string()))?;
        }
        let trimmed: Vec<ImportedFigure> = figures
            .iter()
            .map(|f| ImportedFigure {
                unit: f.unit.trim().to_owned(),
                ..f.clone()
            })
            .collect();
        let mut tx = self.store().begin().await?;
        motcua_storage::kpi::record_imported(&mut tx, &trimmed, &self.meta(acting)).await?;
        tx.commit().await?;
        tracing::info!(figures = trimmed.len(), "imported KPI figures");
        Ok(trimmed.len())
    }

    /// Imports the figures of a CSV file (the layout of
    /// [`motcua_domain::kpi::imported`]), all or none.
    ///
    /// # Errors
    /// As [`Services::import_kpi_figures`]; the file's first wrong line, named.
    pub async fn import_kpi_csv(&self, acting: &Acting, text: &str) -> ServiceResult<usize> {
        let figures = parse_csv(text).map_err(ServiceError::Invalid)?;
        self.import_kpi_figures(acting, &figures).await
    }

    /// The figures imported for `unit` in the months of `period` (a [`Month`] converts), by
    /// month then key; public like the period's results.
    ///
    /// [`Month`]: motcua_domain::kpi::counts::Month
    ///
    /// # Errors
    /// Storage failures.
    pub async fn imported_kpi(
        &self,
        unit: &str,
        period: impl Into<Period>,
    ) -> ServiceResult<Vec<ImportedRow>> {
        let period = period.into();
        Ok(self
            .store()
            .imported_figures(unit.trim(), period.first(), period.last())
            .await?)
    }
}
