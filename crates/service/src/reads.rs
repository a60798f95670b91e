//! Reading dossiers with permissions: one dossier, and lists (worklists, "my dossiers").
//!
//! Every read goes through [`motcua_domain::authz::authorize`]; a list is first narrowed to
//! what the principal's scope covers, so a commune officer never even counts another
//! commune's dossiers.

use motcua_domain::authz::{Action, Scope};
use motcua_domain::dossier::{Dossier, DossierCode};
use motcua_storage::StoreError;
use motcua_storage::dossiers::{DossierFacts, DossierQuery, DossierRow};

use crate::accounts::authorize;
use crate::{Acting, ServiceError, ServiceResult, Services};

impl Services {
    /// A dossier, if `acting` may read it. A dossier out of scope answers as "not found", so
    /// its existence does not leak.
    pub async fn dossier_for(&self, acting: &Acting, code: &DossierCode) -> ServiceResult<Dossier> {
        let principal = self.principal(acting).await?;
        let dossier = self.find_dossier(code).await?;
        let target = self.dossier_target(&dossier).await?;
        match authorize(&principal, Action::ReadDossier, &target) {
            Ok(()) => Ok(dossier),
            Err(_) => Err(ServiceError::Store(StoreError::NotFound {
                what: format!("hồ sơ / dossier {code}"),
            })),
        }
    }

    /// A page of the dossiers `acting` may see that match `query`, with the total.
    ///
    /// Staff see their agency's dossiers and those at a step of it; citizens and businesses
    /// their own; inspectors those of the agencies within their unit; system administrators
    /// all. Filters in `query` can only narrow that further.
    pub async fn list_dossiers_for(
        &self,
        acting: &Acting,
        query: DossierQuery,
    ) -> ServiceResult<(Vec<DossierRow>, i64)> {
        match self.scoped(acting, query).await? {
            Some(query) => Ok(self.store().list_dossiers(&query).await?),
            None => Ok((Vec::new(), 0)),
        }
    }

    /// The timing facts of every dossier `acting` may see that match `query` (its order
    /// and page ignored), under the scope rules of [`Services::list_dossiers_for`]: for
    /// counts over a whole list without reading any dossier's state.
    ///
    /// # Errors
    /// As [`Services::list_dossiers_for`].
    pub async fn list_dossier_facts_for(
        &self,
        acting: &Acting,
        query: DossierQuery,
    ) -> ServiceResult<Vec<DossierFacts>> {
        match self.scoped(acting, query).await? {
            Some(query) => Ok(self.store().list_dossier_facts(&query).await?),
            None => Ok(Vec::new()),
        }
    }

    /// `query` narrowed to what `acting` may see, after checking the permission to list;
    /// `None` when nothing can match.
    pub(crate) async fn scoped(
        &self,
        acting: &Acting,
        mut query: DossierQuery,
    ) -> ServiceResult<Option<DossierQuery>> {
        let principal = self.principal(acting).await?;
        let empty = || Ok(None);
        match &principal.scope {
            Scope::Everywhere | Scope::AnyApplicant => {}
            Scope::Agency(agency) => {
                if query.agency.as_deref().is_some_and(|a| a != agency) {
                    return empty();
                }
                query.agency = Some(agency.clone());
            }
            Scope::Applicant(number) => {
                if query
                    .applicant_number
                    .as_deref()
                    .is_some_and(|n| n != number)
                {
                    return empty();
                }
                query.applicant_number = Some(number.clone());
            }
            Scope::Unit(_) => {
                // Inspectors read statistics, not dossiers: a list of one agency's dossiers
                // needs that agency to lie within their unit.
                let Some(agency) = query.agency.clone() else {
                    return Err(ServiceError::Invalid(
                        "hãy chọn một cơ quan / choose an agency".into(),
                    ));
                };
                let target = self.agency_target(&agency).await?;
                authorize(&principal, Action::ListWorklist, &target)?;
            }
            Scope::Nowhere => return empty(),
        }
        let target = match (&query.agency, &query.applicant_number) {
            (Some(agency), _) => self.agency_target(agency).await?,
            _ => motcua_domain::authz::Target::INSTALLATION,
        };
        let action = if query.applicant_number.is_some() && query.agency.is_none() {
            Action::ReadDossier
        } else {
            Action::ListWorklist
        };
        if !matches!(principal.scope, Scope::Applicant(_)) {
            authorize(&principal, action, &target)?;
        }
        Ok(Some(query))
    }
}
