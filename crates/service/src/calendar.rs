//! The working-day calendar in force: bundled official schedules, overridden year by year by
//! the schedules operators import (`motcua calendar import`).

use motcua_domain::authz::Action;
use motcua_domain::calendar::{
    Calendar, CalendarConfig, YearSchedule, bundled_schedules, parse_schedule,
};

use crate::{Acting, ServiceError, ServiceResult, Services};

impl Services {
    /// Official schedules in force: the bundled ones, replaced by imported ones per year.
    pub async fn schedules(&self) -> ServiceResult<Vec<YearSchedule>> {
        let mut by_year: std::collections::BTreeMap<i32, YearSchedule> = bundled_schedules()
            .into_iter()
            .map(|s| (s.year(), s))
            .collect();
        for stored in self.store().list_schedules().await? {
            let schedule = parse_schedule(&stored.body).map_err(|e| {
                ServiceError::Invalid(format!(
                    "lịch năm {} đã lưu không đọc được / the stored schedule of {} cannot be read: {e}",
                    stored.year, stored.year
                ))
            })?;
            by_year.insert(schedule.year(), schedule);
        }
        Ok(by_year.into_values().collect())
    }

    /// The calendar with `config` (office hours, cut-offs) and the schedules in force.
    pub async fn calendar_with(&self, config: CalendarConfig) -> ServiceResult<Calendar> {
        let schedules = self.schedules().await?;
        Calendar::new(config, schedules).map_err(|e| ServiceError::Invalid(e.to_string()))
    }

    /// The national public-sector calendar (default office hours) with the schedules in force.
    pub async fn calendar(&self) -> ServiceResult<Calendar> {
        self.calendar_with(CalendarConfig::default()).await
    }

    /// Imports a year's official schedule (the CSV format of `data/calendar/README.md`).
    ///
    /// The file is validated completely before anything is stored; a later import of the
    /// same year replaces it, and the log keeps every version with who imported it.
    pub async fn import_schedule(
        &self,
        acting: &Acting,
        text: &str,
    ) -> ServiceResult<YearSchedule> {
        acting.require(Action::ImportSchedule)?;
        let schedule = parse_schedule(text).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        // The calendar must still build with it (e.g. no clash with the rules' range).
        let mut others = self.schedules().await?;
        others.retain(|s| s.year() != schedule.year());
        others.push(schedule.clone());
        Calendar::new(CalendarConfig::default(), others)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.store()
            .record_schedule(schedule.year(), text, &self.meta(acting))
            .await?;
        self.forget_calendars();
        tracing::info!(
            calendar.year = schedule.year(),
            "imported an official schedule"
        );
        Ok(schedule)
    }
}
