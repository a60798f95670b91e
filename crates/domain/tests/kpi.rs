//! KPIs: the 766 catalogue and scoring, ranking, and the Biểu số 06/VPCP/KSTT row.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::index766::{
    Exclusion, Exemption, Group, Indicator, IndicatorRule, Input766, NoPetitions, PeriodKind,
    Points, Rating, RatingScale, Rules766, RulesError, Score, Scoring, UnitLevel, WhenEmpty,
    assess, catalogue, dossier_sync_ratio, rank,
};
use motcua_domain::kpi::report06::{Identity, Report06Counts, Report06Row};
use proptest::prelude::*;

fn pts(hundredths: u32) -> Points {
    Points::from_hundredths(hundredths)
}

/// The score of `indicator` alone, for a province with only that input.
fn score_of(indicator: Indicator, numerator: u64, denominator: u64, rules: &Rules766) -> Score {
    let input = Input766::new("u", UnitLevel::Province).with(indicator, numerator, denominator);
    assess(&input, rules).indicator(indicator).unwrap().score
}

/// A province measuring every indicator at `numerator ÷ denominator`.
fn everything(unit: &str, level: UnitLevel, numerator: u64, denominator: u64) -> Input766 {
    Indicator::ALL
        .into_iter()
        .fold(Input766::new(unit, level), |input, i| {
            input.with(i, numerator, denominator)
        })
}

#[test]
fn the_catalogue_is_in_order_and_sums_to_100() {
    for (i, spec) in catalogue().iter().enumerate() {
        assert_eq!(Indicator::ALL[i], spec.indicator);
        assert_eq!(spec.indicator.spec(), spec);
        assert_eq!(Indicator::from_code(spec.code), Some(spec.indicator));
    }
    assert_eq!(Indicator::from_code("9.9"), None);
    let maxima: Vec<u32> = Group::ALL
        .iter()
        .map(|g| g.max_points().hundredths() / 100)
        .collect();
    assert_eq!(maxima, [18, 20, 12, 10, 18, 22]);
    assert_eq!(
        Group::ALL.iter().map(|g| g.max_points()).sum::<Points>(),
        Points::whole(100)
    );
    // Each group's declared indicator points fill it exactly (🟡 the project's own check).
    for group in Group::ALL {
        let declared: Points = catalogue()
            .iter()
            .filter(|s| s.group == group)
            .map(|s| s.rule.points)
            .sum();
        assert_eq!(declared, group.max_points(), "{}", group.name_en());
    }
    assert_eq!(Group::Digitization.number(), 6);
    assert_eq!(Indicator::ProcessedOnTime.code(), "2.1");
    assert_eq!(Indicator::ProcessedOnTime.group(), Group::Progress);
}

#[test]
fn every_indicator_scores_its_boundaries() {
    let rules = Rules766::default();
    for spec in catalogue() {
        let i = spec.indicator;
        let rule = rules.rule(i);
        let max = rule.points;
        let code = spec.code;
        assert_eq!(
            score_of(i, 0, 100, &rules),
            Score::Computed(Points::ZERO),
            "{code} at 0"
        );
        assert_eq!(
            score_of(i, 100, 100, &rules),
            Score::Computed(max),
            "{code} at 100 %"
        );
        assert_eq!(
            score_of(i, 150, 100, &rules),
            Score::Computed(max),
            "{code} above 100 %"
        );
        let empty = match rule.when_empty {
            WhenEmpty::Zero => Score::EmptyDenominator(Points::ZERO),
            WhenEmpty::Full => Score::EmptyDenominator(max),
            WhenEmpty::Excluded => Score::Excluded(Exclusion::EmptyDenominator),
        };
        assert_eq!(score_of(i, 0, 0, &rules), empty, "{code} with den = 0");
        match rule.scoring {
            Scoring::Linear => {
                let half = score_of(i, 1, 2, &rules).points().unwrap();
                assert_eq!(half, pts(max.hundredths() / 2), "{code} linear at 50 %");
            }
            Scoring::Threshold { basis_points } => {
                let t = u64::from(basis_points);
                assert_eq!(
                    score_of(i, t, 10_000, &rules),
                    Score::Computed(max),
                    "{code} at T"
                );
                assert_eq!(
                    score_of(i, t + 1, 10_000, &rules),
                    Score::Computed(max),
                    "{code} above T"
                );
                // One point below T scores less; a hair below rounds back to full, as a
                // score of 1.9999 shows as 2.00.
                let below = score_of(i, t - 100, 10_000, &rules).points().unwrap();
                let hair = score_of(i, t * 1_000 - 1, 10_000_000, &rules);
                assert_eq!(hair, Score::Computed(max), "{code} a hair below T");
                if max > Points::ZERO {
                    assert!(below < max, "{code} one point below T: {below}");
                    let half_t = score_of(i, t, 20_000, &rules).points().unwrap();
                    assert_eq!(half_t, pts(max.hundredths() / 2), "{code} at T ÷ 2");
                } else {
                    assert_eq!(below, Points::ZERO);
                }
            }
        }
    }
}

#[test]
fn scores_round_half_up_to_hundredths() {
    let rules = Rules766::default();
    let points = |i, n, d| score_of(i, n, d, &rules).points().unwrap();
    // 20 × 973 ÷ 1000.
    assert_eq!(points(Indicator::ProcessedOnTime, 973, 1_000), pts(1_946));
    // 5.4, threshold 90 %: 6 × 0.899 ÷ 0.9 = 5.9933…, and 6 × 0.81 ÷ 0.9 = 5.40.
    assert_eq!(points(Indicator::DossierSatisfaction, 899, 1_000), pts(599));
    assert_eq!(points(Indicator::DossierSatisfaction, 810, 1_000), pts(540));
    // 3.5, threshold 80 %: 2 × 0.79 ÷ 0.8 = 1.975 → 1.98.
    assert_eq!(points(Indicator::FeesIntegrated, 79, 100), pts(198));
    // 6 × 1 ÷ 3 = 1.999… → 2.00; 6 × 1 ÷ 7 = 0.857… → 0.86.
    assert_eq!(points(Indicator::ElectronicResults, 1, 3), pts(200));
    assert_eq!(points(Indicator::ElectronicResults, 1, 7), pts(86));
    assert_eq!(pts(599).to_string(), "5.99");
    assert_eq!(pts(6_150).format_vi(), "61,50");
}

#[test]
fn a_group_is_capped_at_its_maximum() {
    // The group-4 fit 6A + min(2, 2.5B) + 2.5C: 3.5 as 2.5 points, linear.
    let mut rules = Rules766::default();
    rules.indicators.insert(
        Indicator::FeesIntegrated,
        IndicatorRule {
            points: pts(250),
            scoring: Scoring::Linear,
            when_empty: WhenEmpty::Zero,
        },
    );
    let pay = |a: u64, b: u64, c: u64| {
        let input = Input766::new("u", UnitLevel::Province)
            .with(Indicator::DossiersPaidOnline, a, 100)
            .with(Indicator::FeesPaidOnline, b, 100)
            .with(Indicator::FeesIntegrated, c, 100);
        *assess(&input, &rules).group(Group::OnlinePayment).unwrap()
    };
    let full = pay(100, 100, 100);
    assert_eq!(
        (full.points, full.out_of, full.capped),
        (pts(1_000), pts(1_000), true)
    );
    // 3 + min(2, 1.0) + 1.5 = 5.5, below the cap.
    let part = pay(50, 40, 60);
    assert_eq!((part.points, part.capped), (pts(550), false));
    // With the catalogue's rules the group fills exactly, uncapped.
    let input = everything("u", UnitLevel::Province, 1, 1);
    let g = *assess(&input, &Rules766::default())
        .group(Group::OnlinePayment)
        .unwrap();
    assert_eq!((g.points, g.capped), (pts(1_000), false));
}

#[test]
fn a_full_score_is_100_and_rated() {
    let a = assess(
        &everything("H01", UnitLevel::Province, 7, 7),
        &Rules766::default(),
    );
    assert_eq!(a.total.points, Points::whole(100));
    assert_eq!(a.total.out_of, Points::whole(100));
    assert!(a.total.is_complete());
    assert_eq!(a.total.counted.len(), 19, "every point-bearing indicator");
    assert_eq!(a.rating, Some(Rating::Excellent));
    let groups: Vec<Points> = a.groups.iter().map(|g| g.points).collect();
    assert_eq!(groups, Group::ALL.map(Group::max_points));
}

#[test]
fn an_unmeasured_indicator_is_reported_not_invented() {
    let mut input = everything("H01", UnitLevel::Province, 1, 1);
    input.ratios.remove(&Indicator::PublishedOnTime);
    input.ratios.remove(&Indicator::PetitionsAboutStaff); // monitored only: no effect
    let mut rules = Rules766::default();
    let a = assess(&input, &rules);
    let s = a.indicator(Indicator::PublishedOnTime).unwrap();
    assert_eq!((s.score, s.ratio), (Score::NotMeasured, None));
    assert_eq!(a.total.points, Points::whole(94));
    assert_eq!(a.total.out_of, Points::whole(94));
    assert_eq!(a.total.not_measured, [Indicator::PublishedOnTime]);
    assert!(!a.total.counted.contains(&Indicator::PublishedOnTime));
    assert_eq!(
        a.group(Group::Transparency).unwrap().out_of,
        Points::whole(12)
    );
    assert_eq!(a.rating, None, "no rating from part of the index");
    assert_eq!(a.total.on_100(), Some(Points::whole(100)));
    rules.rate_incomplete = true;
    assert_eq!(assess(&input, &rules).rating, Some(Rating::Excellent));
}

#[test]
fn communes_are_awarded_what_does_not_apply_to_them() {
    let exempt = [
        Indicator::FullProcessOnline,
        Indicator::PopulationDataProcedures,
        Indicator::PopulationDataDossiers,
    ];
    let mut input = everything("X01", UnitLevel::Commune, 1, 2);
    for i in exempt {
        input.ratios.remove(&i);
    }
    let rules = Rules766::default();
    let a = assess(&input, &rules);
    for i in exempt {
        let s = a.indicator(i).unwrap();
        assert_eq!(s.score, Score::Exempt(s.max), "{}", i.code());
    }
    assert!(a.total.is_complete());
    assert_eq!(a.total.out_of, Points::whole(100));
    // The exemptions in full (16); the linear indicators at 50 % (72 ÷ 2 = 36); the
    // thresholds: 3.5, 3.5b and 4.3 give 2 × 0.5 ÷ 0.8 = 1.25 each, 5.4 gives 6 × 0.5 ÷ 0.9.
    assert_eq!(a.total.points, pts(1_600 + 3_600 + 3 * 125 + 333));
    assert_eq!(a.rating, Some(Rating::Average));
    // The same inputs for a province: the three are not measured.
    let mut province = input.clone();
    province.level = UnitLevel::Province;
    assert_eq!(assess(&province, &rules).total.not_measured, exempt);
    // Excluded instead of awarded: the commune is out of 84.
    let mut excluding = rules;
    excluding.commune = exempt
        .into_iter()
        .map(|i| (i, Exemption::Excluded))
        .collect();
    let e = assess(&input, &excluding);
    assert_eq!(e.total.out_of, Points::whole(84));
    assert_eq!(
        e.indicator(Indicator::FullProcessOnline).unwrap().score,
        Score::Excluded(Exclusion::Exempt)
    );
}

#[test]
fn no_petitions_scores_by_the_empty_rule_or_splits_the_points() {
    let input = Input766::new("u", UnitLevel::Province)
        .with(Indicator::PetitionsOnTime, 0, 0)
        .with(Indicator::PetitionSatisfaction, 0, 0)
        .with(Indicator::DossierSatisfaction, 810, 1_000);
    let mut rules = Rules766::default();
    let by_rule = assess(&input, &rules);
    assert_eq!(
        by_rule.group(Group::Satisfaction).unwrap().points,
        pts(1_740)
    );
    rules.no_petitions = NoPetitions::SplitPetitionSatisfaction;
    let split = assess(&input, &rules);
    let s = |i| *split.indicator(i).unwrap();
    assert_eq!(s(Indicator::PetitionsOnTime).max, Points::whole(9));
    assert_eq!(
        s(Indicator::PetitionsOnTime).score,
        Score::EmptyDenominator(Points::whole(9))
    );
    assert_eq!(
        s(Indicator::PetitionSatisfaction).score,
        Score::Excluded(Exclusion::PointsMoved)
    );
    // 9 × 0.81 ÷ 0.9.
    assert_eq!(
        s(Indicator::DossierSatisfaction).score,
        Score::Computed(pts(810))
    );
    let g = split.group(Group::Satisfaction).unwrap();
    assert_eq!((g.points, g.out_of), (pts(1_710), Points::whole(18)));
    // With one petition the split does not apply.
    let one = input.with(Indicator::PetitionsOnTime, 1, 1);
    assert_eq!(
        assess(&one, &rules)
            .indicator(Indicator::PetitionSatisfaction)
            .unwrap()
            .score,
        Score::EmptyDenominator(Points::whole(6))
    );
}

#[test]
fn ratings_follow_the_configured_cut_offs() {
    let scale = RatingScale::default();
    assert_eq!(scale.rate(pts(6_150)), Rating::Average); // the 2022 provincial average
    assert_eq!(scale.rate(Points::whole(43)), Rating::Weak); // the 2022 ministerial average
    assert_eq!(scale.rate(Points::whole(90)), Rating::Excellent);
    assert_eq!(scale.rate(pts(8_999)), Rating::Good);
    assert_eq!(scale.rate(Points::whole(70)), Rating::Fair);
    assert_eq!(scale.rate(pts(4_999)), Rating::Weak);
    assert_eq!(Rating::Fair.name_vi(), "Khá");

    let mut rules = Rules766::default();
    assert_eq!(rules.validate(), Ok(()));
    rules.ratings.good = Points::whole(95);
    let err = rules.validate().unwrap_err();
    assert!(matches!(err, RulesError::RatingOrder { .. }));
    assert!(err.to_string().starts_with("Ngưỡng xếp loại"), "{err}");
    let mut rules = Rules766::default();
    rules.indicators.insert(
        Indicator::ReusedData,
        IndicatorRule {
            points: Points::whole(2),
            scoring: Scoring::Threshold { basis_points: 0 },
            when_empty: WhenEmpty::Zero,
        },
    );
    assert_eq!(
        rules.validate(),
        Err(RulesError::Threshold {
            code: "4.3",
            basis_points: 0
        })
    );
    // Unvalidated rules still score: T = 0 gives full points, never a division by zero.
    assert_eq!(
        score_of(Indicator::ReusedData, 0, 5, &rules),
        Score::Computed(Points::whole(2))
    );
}

#[test]
fn ranking_shares_ranks_between_equal_totals() {
    let rules = Rules766::default();
    let unit = |code: &str, on_time: u64| {
        assess(
            &Input766::new(code, UnitLevel::Province).with(
                Indicator::ProcessedOnTime,
                on_time,
                100,
            ),
            &rules,
        )
    };
    let units = [
        unit("C", 80),
        unit("D", 75),
        unit("A", 80),
        unit("B", 60),
        unit("E", 75),
    ];
    let ranked: Vec<(usize, &str)> = rank(&units)
        .iter()
        .map(|r| (r.rank, r.assessment.unit.as_str()))
        .collect();
    assert_eq!(ranked, [(1, "A"), (1, "C"), (3, "D"), (3, "E"), (5, "B")]);
    assert!(rank(&[]).is_empty());
}

#[test]
fn dossier_sync_falls_back_to_the_previous_year() {
    assert_eq!(
        dossier_sync_ratio(90, 100, 120, Some(5), PeriodKind::Month),
        Ratio::new(90, 120)
    );
    // No dossiers this month, 1,200 last year: 100 expected, 90 synced.
    let r = dossier_sync_ratio(90, 0, 0, Some(1_200), PeriodKind::Month);
    assert_eq!(r.percent_en(0).unwrap(), "90%");
    assert_eq!(
        dossier_sync_ratio(9, 0, 0, Some(40), PeriodKind::Quarter),
        Ratio::new(36, 40)
    );
    assert_eq!(
        dossier_sync_ratio(3, 0, 0, Some(4), PeriodKind::Year),
        Ratio::new(3, 4)
    );
    let none = dossier_sync_ratio(0, 0, 0, None, PeriodKind::Year);
    assert!(none.is_undefined());
    assert_eq!(
        score_of(
            Indicator::DossiersSynced,
            none.numerator,
            none.denominator,
            &Rules766::default()
        ),
        Score::EmptyDenominator(Points::ZERO)
    );
}

#[test]
fn rules_read_from_json_keep_the_defaults_they_do_not_mention() {
    let rules = Rules766::default();
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(serde_json::from_str::<Rules766>(&json).unwrap(), rules);
    let partial: Rules766 = serde_json::from_str(
        r#"{"indicators": {"digitized_dossiers": {"points": 4,
            "scoring": {"kind": "threshold", "basis_points": 8000}, "when_empty": "zero"}},
            "ratings": {"excellent": 95, "good": 85, "fair": 70, "average": 50.5}}"#,
    )
    .unwrap();
    assert_eq!(
        partial.rule(Indicator::DigitizedDossiers).scoring,
        Scoring::threshold_percent(80)
    );
    assert_eq!(
        partial.rule(Indicator::ProcessedOnTime),
        Indicator::ProcessedOnTime.spec().rule
    );
    assert_eq!(partial.ratings.average, pts(5_050));
    assert_eq!(partial.commune, rules.commune);
    assert!(serde_json::from_str::<Rules766>(r#"{"ratings": {"excellent": -1}}"#).is_err());
}

fn counts() -> Report06Counts {
    Report06Counts {
        carried_over: 40,
        online: 600,
        in_person: 320,
        postal: 40,
        early: 700,
        on_time: 150,
        late: 20,
        within_time: 100,
        overdue: 30,
    }
}

#[test]
fn a_report_row_from_consistent_counts_holds_every_identity() {
    let row = Report06Row::from_counts(counts());
    assert_eq!(
        (row.received, row.resolved, row.in_progress),
        (1_000, 870, 130)
    );
    assert_eq!(row.check(), Ok(()));
    assert_eq!(row.newly_received(), 960);
    assert_eq!(row.in_person_and_postal(), 360);
    // Why 95 %: 700 + 150 + 100 of 1,000, in progress within time included.
    assert_eq!(row.on_time_766().explain_en(), "950/1,000 = 95.00%");
    assert_eq!(row.overdue_766(), Ratio::new(50, 1_000));
    // The report's own rate: 850 of the 870 resolved, open dossiers ignored.
    assert_eq!(row.on_time_resolved().percent_vi(1).unwrap(), "97,7 %");
    assert_eq!(row.overdue_resolved(), Ratio::new(20, 870));
    assert_eq!(row.within_time_in_progress(), Ratio::new(100, 130));
    assert_eq!(row.online_share(), Ratio::new(600, 960));
    // The 766 rate feeds indicator 2.1 directly.
    let mut input = Input766::new("H01", UnitLevel::Province);
    input.set(Indicator::ProcessedOnTime, row.on_time_766());
    let a = assess(&input, &Rules766::default());
    assert_eq!(
        a.indicator(Indicator::ProcessedOnTime).unwrap().score,
        Score::Computed(Points::whole(19))
    );
    // An empty row has no rates, not 0 % ones.
    assert!(Report06Row::default().on_time_766().is_undefined());
}

#[test]
fn a_broken_identity_is_named() {
    // One dossier resolved but forgotten on the received side.
    let mut c = counts();
    c.early += 1;
    let row = Report06Row::from_counts(c);
    let failed = row.check().unwrap_err();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].identity, Identity::Balance);
    assert_eq!((failed[0].left, failed[0].right), (1_000, 1_001));
    let text = failed[0].to_string();
    assert!(
        text.starts_with("Biểu số 06/VPCP/KSTT: không khớp tổng số nhận giải quyết"),
        "{text}"
    );
    assert!(text.contains("received total = resolved + in progress does not hold (1000 ≠ 1001)"));
    // A stated total that disagrees with its parts (an imported report).
    let mut imported = Report06Row::from_counts(counts());
    imported.in_progress = 131;
    let ids: Vec<Identity> = imported
        .check()
        .unwrap_err()
        .iter()
        .map(|m| m.identity)
        .collect();
    assert_eq!(ids, [Identity::InProgressParts, Identity::Balance]);
}

#[test]
fn rows_add_up_to_a_checked_total() {
    let a = Report06Row::from_counts(counts());
    let b = Report06Row::from_counts(Report06Counts {
        carried_over: 1,
        online: 2,
        early: 3,
        ..Report06Counts::default()
    });
    let total = Report06Row::total([&a, &b]);
    assert_eq!(total.received, 1_003);
    assert_eq!(total.counts.early, 703);
    assert_eq!(total.check(), Ok(()));
}

fn arb_ratio() -> impl Strategy<Value = Option<Ratio>> {
    prop_oneof![
        1 => Just(None),
        1 => (0u64..5).prop_map(|n| Some(Ratio::new(n, 0))),
        6 => (0u64..2_000, 0u64..2_000).prop_map(|(n, d)| Some(Ratio::new(n, d))),
        1 => any::<(u64, u64)>().prop_map(|(n, d)| Some(Ratio::new(n, d))),
    ]
}

fn arb_input() -> impl Strategy<Value = Input766> {
    (
        prop::sample::select(vec![
            UnitLevel::Ministry,
            UnitLevel::Province,
            UnitLevel::Commune,
        ]),
        prop::collection::vec(arb_ratio(), Indicator::ALL.len()),
    )
        .prop_map(|(level, ratios)| {
            let mut input = Input766::new("u", level);
            for (i, r) in Indicator::ALL.into_iter().zip(ratios) {
                if let Some(r) = r {
                    input.set(i, r);
                }
            }
            input
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn consistent_counts_satisfy_every_identity(
        parts in prop::array::uniform5(0u64..1_000_000),
        split in prop::array::uniform3(0u64..=100),
    ) {
        let [early, on_time, late, within_time, overdue] = parts;
        let received = parts.iter().sum::<u64>();
        // Share the same total among the four receipt columns.
        let carried_over = received * split[0] / 100;
        let online = (received - carried_over) * split[1] / 100;
        let in_person = (received - carried_over - online) * split[2] / 100;
        let postal = received - carried_over - online - in_person;
        let row = Report06Row::from_counts(Report06Counts {
            carried_over, online, in_person, postal, early, on_time, late, within_time, overdue,
        });
        prop_assert_eq!(row.check(), Ok(()));
        prop_assert_eq!(Report06Row::total([&row, &row]).check(), Ok(()));
        let on_time_766 = row.on_time_766();
        let overdue_766 = row.overdue_766();
        prop_assert_eq!(on_time_766.denominator, overdue_766.denominator);
        prop_assert_eq!(on_time_766.numerator + overdue_766.numerator, received);
    }

    #[test]
    fn every_score_lies_between_zero_and_its_maximum(
        input in arb_input(),
        split in any::<bool>(),
        excluded in any::<bool>(),
    ) {
        let mut rules = Rules766::default();
        if split {
            rules.no_petitions = NoPetitions::SplitPetitionSatisfaction;
        }
        if excluded {
            for rule in rules.indicators.values_mut() {
                rule.when_empty = WhenEmpty::Excluded;
            }
        }
        let a = assess(&input, &rules);
        prop_assert_eq!(a.indicators.len(), Indicator::ALL.len());
        for s in &a.indicators {
            if let Some(p) = s.score.points() {
                prop_assert!(p <= s.max, "{} scored {} of {}", s.indicator.code(), p, s.max);
            }
        }
        for g in &a.groups {
            prop_assert!(g.points <= g.out_of && g.out_of <= rules.group_max(g.group));
        }
        prop_assert_eq!(a.total.points, a.groups.iter().map(|g| g.points).sum::<Points>());
        prop_assert!(a.total.points <= a.total.out_of);
        prop_assert!(a.total.out_of <= Points::whole(100));
        if let Some(p) = a.total.on_100() {
            prop_assert!(p <= Points::whole(100));
        }
        prop_assert_eq!(a.rating.is_some(), a.total.is_complete() && a.total.on_100().is_some());
    }
}
