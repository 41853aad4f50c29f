"""Words of the digest, alerts and reports, Swedish (default) and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "positive": {"sv": "Positiv", "en": "Positive"},
    "neutral": {"sv": "Neutral", "en": "Neutral"},
    "negative": {"sv": "Negativ", "en": "Negative"},
    "sentiment": {"sv": "Ton", "en": "Sentiment"},
    "count": {"sv": "Antal", "en": "Count"},
    "week": {"sv": "Vecka", "en": "Week"},
    "per_day": {"sv": "Per dag", "en": "Per day"},
    "rolling_net": {"sv": "Nettoton, rullande 4 veckor", "en": "Net sentiment, rolling 4 weeks"},
    "digest_subject": {"sv": "Pulse veckobrev vecka {week}: {headline}",
                       "en": "Pulse weekly digest, week {week}: {headline}"},
    "digest_title": {"sv": "Pulse veckobrev – vecka {week}",
                     "en": "Pulse weekly digest – week {week}"},
    "digest_intro": {
        "sv": "Så beskrev andra Stockholm som smart och uppkopplad stad {start} – {end}, "
              "jämfört med veckan före och snittet av de fyra veckorna före.",
        "en": "How others described Stockholm as a smart and connected city {start} – {end}, "
              "against the week before and the mean of the four weeks before."},
    "headline_figures": {"sv": "Veckans siffror", "en": "The week in figures"},
    "figure": {"sv": "Mått", "en": "Figure"},
    "this_week": {"sv": "Veckan", "en": "This week"},
    "last_week": {"sv": "Veckan före", "en": "Week before"},
    "avg4": {"sv": "Snitt 4 veckor", "en": "4-week mean"},
    "third_party_volume": {"sv": "Tredjepartsomnämnanden", "en": "Third-party mentions"},
    "net_sentiment": {"sv": "Nettoton", "en": "Net sentiment"},
    "share_negative": {"sv": "Andel negativa", "en": "Share negative"},
    "third_party_share": {"sv": "Tredje parts andel av rösterna (resten är stadens egna)",
                          "en": "Third-party share of voice (the rest is the city's own)"},
    "own_posts": {"sv": "Stadens egna inlägg", "en": "The city's own posts"},
    "too_few": {"sv": "för få för en jämförelse", "en": "too few for a comparison"},
    "too_few_note": {
        "sv": "Färre än {n} tredjepartsomnämnanden en av veckorna: förändringen visas inte, "
              "för få för en jämförelse.",
        "en": "Fewer than {n} third-party mentions in one of the weeks: no change is shown, "
              "too few for a comparison."},
    "interval_note": {
        "sv": "Andelar visas med 90 % osäkerhetsintervall. \"Ej korrigerad\": räknad direkt "
              "från maskinens taggar, utan korrigering för klassificerarens fel.",
        "en": "Shares are shown with 90 % intervals. \"Uncorrected\": counted from the "
              "machine's tags, without correcting the classifier's errors."},
    "change": {"sv": "Förändring", "en": "Change"},
    "perception_chart": {"sv": "Tredjepartsomnämnanden per vecka och ton, 12 veckor",
                         "en": "Third-party mentions per week by sentiment, 12 weeks"},
    "chart_alt": {"sv": "Stapeldiagram: tredjepartsomnämnanden per vecka och ton",
                  "en": "Bar chart: third-party mentions per week by sentiment"},
    "rising": {"sv": "Det som växer", "en": "What is rising"},
    "rising_topics": {"sv": "Ämnen", "en": "Topics"},
    "rising_keywords": {"sv": "Nyckelord", "en": "Keywords"},
    "nothing_rising": {"sv": "Inget växte mot snittet av de fyra veckorna före.",
                       "en": "Nothing rose against the mean of the four weeks before."},
    "rise_row": {"sv": "{label}: {this} omnämnanden (snitt {avg})",
                 "en": "{label}: {this} mentions (mean {avg})"},
    "resonance": {"sv": "Kärnbudskapens genomslag hos tredje part",
                  "en": "Core-message resonance among third parties"},
    "resonance_help": {"sv": "Andel tredjepartsomnämnanden som för fram budskapet.",
                       "en": "Share of third-party mentions echoing the message."},
    "message": {"sv": "Kärnbudskap", "en": "Core message"},
    "top_positive": {"sv": "Mest engagerande positiva", "en": "Most engaging positive"},
    "top_negative": {"sv": "Mest engagerande negativa", "en": "Most engaging negative"},
    "no_stories": {"sv": "Inga under veckan.", "en": "None this week."},
    "engagement_n": {"sv": "engagemang {n}", "en": "engagement {n}"},
    "copies_n": {"sv": "{n} kopior", "en": "{n} copies"},
    "ideas": {"sv": "Invånarnas idéer och behov", "en": "Residents' ideas and needs"},
    "no_ideas": {"sv": "Inga idéer eller behov från invånare under veckan.",
                 "en": "No ideas or needs from residents this week."},
    "needs_answer": {"sv": "Behöver svar", "en": "Needs an answer"},
    "needs_answer_count": {"sv": "{n} omnämnanden är markerade \"behöver svar\".",
                           "en": "{n} mentions are marked \"needs an answer\"."},
    "none_open": {"sv": "Inga omnämnanden är markerade \"behöver svar\".",
                  "en": "No mentions are marked \"needs an answer\"."},
    "benchmark": {"sv": "Röstandel bland jämförelsestäderna",
                  "en": "Share of voice among the benchmark cities"},
    "benchmark_help": {
        "sv": "Andel av de engelskspråkiga tredjepartsomnämnandena som nämner någon av "
              "städerna (som dashboardens Omvärld).",
        "en": "Share of the English-language third-party mentions naming any of the cities "
              "(as the dashboard's Benchmark page)."},
    "city": {"sv": "Stad", "en": "City"},
    "no_cities_week": {"sv": "Ingen av jämförelsestäderna nämndes under veckan.",
                       "en": "None of the benchmark cities was named this week."},
    "kpis": {"sv": "Mätpunkter", "en": "Measurement points"},
    "target": {"sv": "Mål", "en": "Target"},
    "status": {"sv": "Läge", "en": "Status"},
    "on_target": {"sv": "når målet", "en": "on target"},
    "off_target": {"sv": "under målet", "en": "short of target"},
    "above_target": {"sv": "över taket", "en": "above the ceiling"},
    "no_value": {"sv": "ingen mätning", "en": "no measurement"},
    "at_least": {"sv": "minst {v}", "en": "at least {v}"},
    "at_most": {"sv": "högst {v}", "en": "at most {v}"},
    "blind": {"sv": "Det vi inte kunde se", "en": "What we could not see"},
    "blind_none": {"sv": "Alla källor samlade in varje dag och varje dag har omnämnanden.",
                   "en": "Every source collected every day and every day has mentions."},
    "blind_failed": {"sv": "{name}: fel {n} gånger ({days}). {why}",
                     "en": "{name}: failed {n} times ({days}). {why}"},
    "blind_disabled": {"sv": "{name}: avstängd efter upprepade fel ({days}); slås på med "
                             "`pulse sources --enable {key}`.",
                       "en": "{name}: disabled after repeated errors ({days}); turn it back "
                             "on with `pulse sources --enable {key}`."},
    "blind_no_token": {"sv": "{name}: saknar token, samlade inte in. {why}",
                       "en": "{name}: no token, did not collect. {why}"},
    "blind_off": {"sv": "{name}: avaktiverad i konfigurationen.",
                  "en": "{name}: turned off in the config."},
    "blind_never": {"sv": "{name}: körde inte alls under perioden.",
                    "en": "{name}: did not run at all in the period."},
    "blind_days": {"sv": "Dagar utan något insamlat omnämnande: {days}.",
                   "en": "Days without any collected mention: {days}."},
    "no_data_week": {
        "sv": "Inga omnämnanden alls under vecka {week}: antingen skrev ingen om Stockholm "
              "som smart stad, eller så samlade Pulse inte in (se nedan).",
        "en": "No mentions at all in week {week}: either nobody wrote about Stockholm as a "
              "smart city, or Pulse did not collect (see below)."},
    "footer": {
        "sv": "Skickat av Pulse. Siffrorna räknar nyheter en gång även när de publicerats i "
              "flera kanaler, och läses ur samma frågor som dashboarden.",
        "en": "Sent by Pulse. Figures count a story once even when it ran in several "
              "channels, and come from the same queries as the dashboard."},
    "open": {"sv": "öppna", "en": "open"},
    "activities_week": {"sv": "Aktiviteter under veckan", "en": "Activities this week"},
    "sample_data": {"sv": "EXEMPELDATA – inte verkliga händelser",
                    "en": "SAMPLE DATA – not real events"},
    "blind_now": {"sv": "nu", "en": "now"},
    "no_data_short": {"sv": "inga omnämnanden", "en": "no mentions"},
    "kpi": {"sv": "Mätpunkt", "en": "Measurement point"},
    "change_note": {"sv": "Förändringar i procentenheter (pe).",
                    "en": "Changes in percentage points (pp)."},
    "act_everyone": {"sv": "Alla tredje parter", "en": "All third parties"},
    "act_lead": {"sv": "{name} pågick {start} – {end}. Här jämförs vad {who} skrev om Stockholm "
                       "som smart stad före, under och efter aktiviteten.",
                 "en": "{name} ran {start} – {end}. This compares what {who} wrote about "
                       "Stockholm as a smart city before, during and after the activity."},
    "act_during": {"sv": "Under aktiviteten kom {n} omnämnanden, {per_day} per dag, mot "
                         "{before} per dag innan.",
                   "en": "During the activity there were {n} mentions, {per_day} a day, "
                         "against {before} a day before."},
    "act_ratio": {"sv": "Det är {ratio} gånger så många per dag som innan.",
                  "en": "That is {ratio} times as many a day as before."},
    "act_few": {"sv": "Färre än {n} omnämnanden i ett av fönstren: för få för en jämförelse.",
                "en": "Fewer than {n} mentions in one of the windows: too few for a "
                      "comparison."},
    "act_tone": {"sv": "Nettotonen under aktiviteten var {net} (före: {before}).",
                 "en": "Net sentiment during the activity was {net} (before: {before})."},
    "act_resonance": {"sv": "{label}: {share} av omnämnandena under aktiviteten.",
                      "en": "{label}: {share} of the mentions during the activity."},
    "act_after": {"sv": "Efteråt kom {n} omnämnanden, {per_day} per dag, med nettoton {net}.",
                  "en": "Afterwards there were {n} mentions, {per_day} a day, net sentiment "
                        "{net}."},
    "win_before": {"sv": "Före", "en": "Before"},
    "win_during": {"sv": "Under", "en": "During"},
    "win_after": {"sv": "Efter", "en": "After"},
    "window": {"sv": "Fönster", "en": "Window"},
    "days": {"sv": "Dagar", "en": "Days"},
    "stories_n": {"sv": "Omnämnanden", "en": "Mentions"},
    "per_day_h": {"sv": "Per dag", "en": "Per day"},
    "activity_title": {"sv": "Utvärdering: {name}", "en": "Evaluation: {name}"},
    "activity_public_title": {"sv": "Så togs {name} emot", "en": "How {name} was received"},
    "target_groups": {"sv": "Målgrupper", "en": "Target groups"},
    "top_window": {"sv": "Mest engagerande i fönstret {w}",
                   "en": "Most engaging in the {w} window"},
    "method_public": {
        "sv": "Så har vi räknat: Pulse samlar det som skrivs offentligt om Stockholm som smart "
              "stad i nyheter, bloggar och sociala medier. Siffrorna är antal omnämnanden och "
              "andelar; inga enskilda inlägg eller personer redovisas. Andelarna är "
              "uppskattningar med ett osäkerhetsintervall inom parentes.",
        "en": "How we counted: Pulse collects what is written publicly about Stockholm as a "
              "smart city in news, blogs and social media. The figures are numbers of mentions "
              "and shares; no single post or person is shown. Shares are estimates with an "
              "interval of uncertainty in brackets."},
    "kind_hackathon": {"sv": "Hackathon", "en": "Hackathon"},
    "kind_demo_day": {"sv": "Demodag", "en": "Demo day"},
    "kind_dialogue": {"sv": "Dialog", "en": "Dialogue"},
    "kind_campaign": {"sv": "Kampanj", "en": "Campaign"},
    "kind_event": {"sv": "Evenemang", "en": "Event"},
    "kind_meetup": {"sv": "Träff", "en": "Meetup"},
    "kind_other": {"sv": "Aktivitet", "en": "Activity"},
    "chart_alt_activity": {"sv": "Stapeldiagram: omnämnanden per dag före, under och efter",
                           "en": "Bar chart: mentions a day before, during and after"},
    "blind_days_n": {"sv": "{n} dagar utan något insamlat omnämnande: {days}.",
                     "en": "{n} days without any collected mention: {days}."},
    "year_empty": {"sv": "Pulse har inga omnämnanden från {year}.",
                   "en": "Pulse has no mentions from {year}."},
    "sum_volume": {"sv": "Tredje part skrev {n} gånger om Stockholm som smart och uppkopplad "
                         "stad (staden själv {own} gånger). Nettotonen var {net} och andelen "
                         "negativa {neg}.",
                   "en": "Third parties wrote {n} times about Stockholm as a smart and "
                         "connected city (the city itself {own} times). Net sentiment was "
                         "{net} and the share negative {neg}."},
    "sum_quarters": {"sv": "Bäst tog tredje part emot staden under {best} (nettoton "
                           "{best_net}), sämst under {worst} ({worst_net}).",
                     "en": "Third parties received the city best in {best} (net sentiment "
                           "{best_net}) and worst in {worst} ({worst_net})."},
    "sum_message": {"sv": "Kärnbudskapet med störst genomslag: {label}, i {share} av "
                          "tredjepartsomnämnandena.",
                    "en": "The core message with the most resonance: {label}, in {share} "
                          "of third-party mentions."},
    "sum_sov": {"sv": "Stockholms röstandel bland jämförelsestäderna (engelskspråkig "
                      "bevakning): {share}.",
                "en": "Stockholm's share of voice among the benchmark cities "
                      "(English-language coverage): {share}."},
    "sum_kpis": {"sv": "{met} av {n} mätpunkter nådde sitt mål över året.",
                 "en": "{met} of {n} measurement points met their target over the year."},
    "sum_activities": {"sv": "{n} aktiviteter i kalendern utvärderades (avsnitt Aktiviteter).",
                       "en": "{n} activities of the calendar were evaluated (section "
                             "Activities)."},
    "sum_blind": {"sv": "Pulse kunde inte se allt: {n} avbrott eller luckor redovisas sist.",
                  "en": "Pulse could not see everything: {n} outages or gaps are listed at "
                        "the end."},
    "sum_blind_none": {"sv": "Alla källor samlade in under hela året.",
                       "en": "Every source collected throughout the year."},
    "yearly_title": {"sv": "Stockholm som smart och uppkopplad stad – årsrapport {year}",
                     "en": "Stockholm as a smart and connected city – yearly report {year}"},
    "yearly_sub": {"sv": "Hur tredje part beskrev staden, mätt med Pulse. Uppföljning enligt "
                         "kommunikationsstrategins avsnitt 5. Framtagen {made}.",
                   "en": "How third parties described the city, measured by Pulse. Follow-up "
                         "under section 5 of the communication strategy. Made {made}."},
    "summary": {"sv": "Sammanfattning", "en": "Summary"},
    "perception": {"sv": "Tredje parts bild per kvartal", "en": "Third-party perception by "
                                                                  "quarter"},
    "year_col": {"sv": "Året", "en": "Year"},
    "keywords_h": {"sv": "Nyckelord: andel tredjepartsomnämnanden",
                   "en": "Keywords: share of third-party mentions"},
    "messages_h": {"sv": "Kärnbudskap: genomslag hos tredje part",
                   "en": "Core messages: resonance among third parties"},
    "groups_h": {"sv": "Målgrupper: omnämnanden · nettoton",
                 "en": "Target groups: mentions · net sentiment"},
    "topics_h": {"sv": "Ämnen: de åtta största, andel av tredjepartsomnämnandena",
                 "en": "Topics: the eight largest, share of third-party mentions"},
    "benchmark_h": {"sv": "Omvärld: röstandel bland jämförelsestäderna (engelskspråkig "
                          "bevakning)",
                    "en": "Benchmark: share of voice among the benchmark cities "
                          "(English-language coverage)"},
    "kpis_h": {"sv": "Mätpunkter mot mål", "en": "Measurement points against targets"},
    "kpi_weekly": {"sv": "Vecka för vecka (streckad linje: målet)",
                   "en": "Week by week (dashed line: the target)"},
    "activities_h": {"sv": "Aktiviteter och hur de togs emot",
                     "en": "Activities and how they were received"},
    "no_activities": {"sv": "Inga aktiviteter i kalendern detta år.",
                      "en": "No activities in the calendar this year."},
    "blind_h": {"sv": "Det Pulse inte kunde se", "en": "What Pulse could not see"},
    "method_h": {"sv": "Om siffrorna", "en": "About the figures"},
    "method": {
        "sv": "Pulse samlar nyheter, bloggar och sociala medier om Stockholm som smart stad "
              "och taggar varje omnämnande mot strategins nyckelord, kärnbudskap, målgrupper "
              "och ämnen. En nyhet som publicerats i flera kanaler räknas en gång. Andelar "
              "visas med 90 % osäkerhetsintervall; \"ej korrigerad\" betyder räknad direkt ur "
              "maskinens taggar utan korrigering för klassificerarens fel.",
        "en": "Pulse collects news, blogs and social media about Stockholm as a smart city "
              "and tags every mention against the strategy's keywords, core messages, target "
              "groups and topics. A story that ran in several channels counts once. Shares "
              "are shown with 90 % intervals; \"uncorrected\" means counted from the "
              "machine's tags without correcting the classifier's errors."},
    "before_day": {"sv": "Före/dag", "en": "Before/day"},
    "during_day": {"sv": "Under/dag", "en": "During/day"},
    "page": {"sv": "Sida", "en": "Page"},
    "of": {"sv": "av", "en": "of"},
    "perception_chart_year": {"sv": "Tredjepartsomnämnanden per vecka och ton",
                              "en": "Third-party mentions per week by sentiment"},
    "act_resonance_h": {"sv": "Aktivitetens nyckelord och kärnbudskap: andel av omnämnandena",
                        "en": "The activity's keywords and core messages: share of mentions"},
    "hours": {"sv": "{v} h", "en": "{v} h"},
    "weeks_short": {"sv": "v", "en": "w"},
}


def t(key: str, lang: str, **kwargs) -> str:
    """Return the label `key` in `lang` (Swedish when missing), formatted with `kwargs`."""
    entry = LABELS.get(key, {})
    text = entry.get(lang) or entry.get("sv") or key
    return text.format(**kwargs) if kwargs else text
