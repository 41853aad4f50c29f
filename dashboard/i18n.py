"""One table of UI labels, Swedish (default) and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "title": {"sv": "Pulse – bilden av Stockholm som smart stad",
              "en": "Pulse – how Stockholm is perceived as a smart city"},
    "language": {"sv": "Språk", "en": "Language"},
    "period": {"sv": "Period", "en": "Period"},
    "granularity": {"sv": "Tidsindelning", "en": "Time buckets"},
    "day": {"sv": "Dag", "en": "Day"},
    "week": {"sv": "Vecka", "en": "Week"},
    "voice": {"sv": "Röst", "en": "Voice"},
    "all": {"sv": "Alla", "en": "All"},
    "demo_banner": {
        "sv": "Demo: allt innehåll är EXEMPELDATA skriven för Pulse, inte verkliga händelser.",
        "en": "Demo: all content is SAMPLE DATA written for Pulse, not real events."},
    "mentions": {"sv": "Omnämnanden", "en": "Mentions"},
    "share_negative": {"sv": "Andel negativa", "en": "Share negative"},
    "net_sentiment": {"sv": "Nettoton", "en": "Net sentiment"},
    "net_help": {"sv": "Andel positiva minus andel negativa.",
                 "en": "Share positive minus share negative."},
    "over_time": {"sv": "Tredjepartsomnämnanden över tid, per ton",
                  "en": "Third-party mentions over time, by sentiment"},
    "over_time_any": {"sv": "Omnämnanden över tid, per ton",
                      "en": "Mentions over time, by sentiment"},
    "keywords": {"sv": "Nyckelord", "en": "Keywords"},
    "messages": {"sv": "Kärnbudskap", "en": "Core messages"},
    "latest": {"sv": "Senaste omnämnanden", "en": "Latest mentions"},
    "show_table": {"sv": "Visa som tabell", "en": "Show as table"},
    "empty": {"sv": "Inga omnämnanden matchar filtret under perioden.",
              "en": "No mentions match the filter in this period."},
    "no_db": {"sv": "Databasen är inte redo: {error}",
              "en": "The database is not ready: {error}"},
    "date": {"sv": "Datum", "en": "Date"},
    "count": {"sv": "Antal", "en": "Count"},
    "sentiment": {"sv": "Ton", "en": "Sentiment"},
    "source": {"sv": "Källa", "en": "Source"},
    "text": {"sv": "Text", "en": "Text"},
    "link": {"sv": "Länk", "en": "Link"},
    "published": {"sv": "Publicerad", "en": "Published"},
    "positive": {"sv": "Positiv", "en": "Positive"},
    "neutral": {"sv": "Neutral", "en": "Neutral"},
    "negative": {"sv": "Negativ", "en": "Negative"},
    "own": {"sv": "Egen röst (staden)", "en": "Own voice (the city)"},
    "third_party": {"sv": "Tredje part", "en": "Third party"},
    "open_link": {"sv": "öppna", "en": "open"},
    "filters": {"sv": "Filter", "en": "Filters"},
    "more_filters": {"sv": "Fler filter", "en": "More filters"},
    "any": {"sv": "Alla", "en": "Any"},
    "channel": {"sv": "Kanal", "en": "Channel"},
    "sources": {"sv": "Källor", "en": "Sources"},
    "content_lang": {"sv": "Språk i inlägg", "en": "Language of posts"},
    "lang_sv": {"sv": "Svenska", "en": "Swedish"},
    "lang_en": {"sv": "Engelska", "en": "English"},
    "lang_other": {"sv": "Annat", "en": "Other"},
    "keyword": {"sv": "Nyckelord", "en": "Keyword"},
    "message": {"sv": "Kärnbudskap", "en": "Core message"},
    "topic": {"sv": "Ämne", "en": "Topic"},
    "audience": {"sv": "Målgrupp", "en": "Target group"},
    "intent": {"sv": "Avsikt", "en": "Intent"},
    "intent_inform": {"sv": "Informerar", "en": "Informs"},
    "intent_praise": {"sv": "Berömmer", "en": "Praises"},
    "intent_criticism": {"sv": "Kritiserar", "en": "Criticises"},
    "intent_question": {"sv": "Frågar / söker kontakt", "en": "Asks / seeks contact"},
    "intent_idea_need": {"sv": "Idé eller behov", "en": "Idea or need"},
    "page_overview": {"sv": "Översikt", "en": "Overview"},
    "page_keywords": {"sv": "Nyckelord och budskap", "en": "Keywords and messages"},
    "page_audiences": {"sv": "Målgrupper", "en": "Target groups"},
    "page_topics": {"sv": "Ämnen", "en": "Topics"},
    "page_sources": {"sv": "Kanaler och källor", "en": "Channels and sources"},
    "page_mentions": {"sv": "Omnämnanden", "en": "Mentions"},
    "page_benchmark": {"sv": "Omvärld", "en": "Benchmark"},
    "this_week": {"sv": "Senaste hela veckan", "en": "Last complete week"},
    "last_week": {"sv": "Veckan före", "en": "The week before"},
    "avg4": {"sv": "Snitt 4 veckor", "en": "4-week average"},
    "week_of": {"sv": "Vecka som börjar {day}", "en": "Week starting {day}"},
    "third_party_volume": {"sv": "Tredjepartsomnämnanden", "en": "Third-party mentions"},
    "third_party_share": {"sv": "Tredje parts andel av rösterna",
                          "en": "Third-party share of voice"},
    "sov_help": {"sv": "Tredjepartsomnämnanden delat med alla omnämnanden (egna inräknade).",
                 "en": "Third-party mentions divided by all mentions (own included)."},
    "rising_topic": {"sv": "Snabbast växande ämne", "en": "Fastest-rising topic"},
    "no_rising": {"sv": "Inget ämne växer", "en": "No topic is rising"},
    "vs_avg": {"sv": "Snitt 4 veckor: {value}", "en": "4-week average: {value}"},
    "figure": {"sv": "Mått", "en": "Figure"},
    "rolling_net": {"sv": "Nettoton, rullande 4 perioder",
                    "en": "Net sentiment, rolling 4 periods"},
    "spikes": {
        "sv": "Toppar: perioder med ovanligt många omnämnanden mot de åtta före",
        "en": "Spikes: periods with unusually many mentions against the eight before"},
    "no_spikes": {"sv": "Inga toppar under perioden.", "en": "No spikes in the period."},
    "spike": {"sv": "Topp", "en": "Spike"},
    "period_used": {
        "sv": "Vecka {week} ({start} – {end}), den senaste hela veckan i perioden, jämförd med "
              "veckan före och med snittet av de fyra veckorna före.",
        "en": "Week {week} ({start} – {end}), the last complete week of the period, against "
              "the week before and the mean of the four weeks before."},
    "too_few_to_compare": {
        "sv": "För få omnämnanden för en säker jämförelse (färre än {n} tredjepartsomnämnanden "
              "en av veckorna): siffrorna visas utan förändring.",
        "en": "Too few mentions for a reliable comparison (fewer than {n} third-party mentions "
              "in one of the weeks): the figures are shown without a change."},
    "over_time_kw": {"sv": "Nyckelord över tid", "en": "Keywords over time"},
    "over_time_msg": {"sv": "Kärnbudskap över tid", "en": "Core messages over time"},
    "kw_sentiment": {"sv": "Nyckelord per ton", "en": "Keywords by sentiment"},
    "msg_sentiment": {"sv": "Kärnbudskap per ton", "en": "Core messages by sentiment"},
    "resonance": {"sv": "Genomslag: andel tredjepartsomnämnanden som för fram budskapet",
                  "en": "Resonance: share of third-party mentions echoing each message"},
    "share": {"sv": "Andel", "en": "Share"},
    "alignment": {"sv": "Samstämmighet: vad staden säger och vad andra säger, per nyckelord",
                  "en": "Alignment: what the city says against what others say, per keyword"},
    "alignment_help": {
        "sv": "Andel av stadens egna inlägg respektive tredje parts omnämnanden som bär "
              "nyckelordet. Gapet är tredje part minus staden, i procentenheter.",
        "en": "Share of the city's own posts and of third-party mentions carrying the keyword. "
              "The gap is third party minus the city, in percentage points."},
    "gap": {"sv": "Gap (procentenheter)", "en": "Gap (percentage points)"},
    "who": {"sv": "Avsändare", "en": "Who"},
    "city_says": {"sv": "Staden", "en": "The city"},
    "others_say": {"sv": "Tredje part", "en": "Third party"},
    "no_own": {"sv": "Inga egna inlägg under perioden: samstämmigheten kan inte mätas.",
               "en": "No own posts in the period: alignment cannot be measured."},
    "groups_table": {"sv": "Målgrupperna: volym, attityd och beteende",
                     "en": "Target groups: volume, attitude and behaviour"},
    "signal": {"sv": "Beteendesignal", "en": "Behaviour signal"},
    "signal_count": {"sv": "Antal med signal", "en": "Mentions with signal"},
    "drill_group": {"sv": "Visa omnämnanden från målgrupp", "en": "Show mentions from group"},
    "only_signal": {"sv": "Bara de med beteendesignalen", "en": "Only those with the signal"},
    "topics_over_time": {"sv": "Ämnen över tid", "en": "Topics over time"},
    "topic_sentiment": {"sv": "Ämnen per ton", "en": "Topics by sentiment"},
    "emerging": {"sv": "Framväxande ämnen (upptäckta i texterna, senaste 4 veckorna)",
                 "en": "Emerging topics (found in the texts, last 4 weeks)"},
    "emerging_help": {
        "sv": "Ämnen som Pulse själv hittar i texterna, utan någon given ämneslista; högst {n} "
              "texter per vecka läses.",
        "en": "Topics Pulse finds in the texts by itself, without a given list of topics; at "
              "most {n} texts a week are read."},
    "terms": {"sv": "Ord", "en": "Terms"},
    "growth": {"sv": "Tillväxt", "en": "Growth"},
    "new": {"sv": "ny", "en": "new"},
    "too_few_emerging": {"sv": "För få omnämnanden under perioden för att hitta framväxande ämnen.",
                         "en": "Too few mentions in the period to find emerging topics."},
    "source_health": {"sv": "Källornas hälsa", "en": "Source health"},
    "volume_by_source": {"sv": "Omnämnanden per källa över tid",
                         "en": "Mentions per source over time"},
    "status": {"sv": "Status", "en": "Status"},
    "status_ok": {"sv": "OK", "en": "OK"},
    "status_failing": {"sv": "Fel", "en": "Failing"},
    "status_disabled": {"sv": "Avstängd efter upprepade fel",
                        "en": "Disabled after repeated errors"},
    "status_off": {"sv": "Avaktiverad i konfigurationen", "en": "Turned off in the config"},
    "status_no_token": {"sv": "Saknar token", "en": "No token"},
    "status_never": {"sv": "Aldrig hämtad", "en": "Never collected"},
    "last_success": {"sv": "Senast hämtad", "en": "Last success"},
    "last_error": {"sv": "Senaste fel", "en": "Last error"},
    # what was wrong with an answer that was still read (broken XML, a wrong charset label)
    "last_warning": {"sv": "Anmärkning på senaste svaret", "en": "Note on the last answer"},
    "items_last_run": {"sv": "Nya senast", "en": "New last run"},
    "silent_warning": {
        "sv": "{n} källor samlar inte in just nu. Tystnad från dem betyder inte att ingen "
              "skriver: {keys}.",
        "en": "{n} sources are not collecting right now. Silence from them does not mean "
              "nobody is writing: {keys}."},
    "enable_hint": {"sv": "En avstängd källa slås på igen med `pulse sources --enable NYCKEL`.",
                    "en": "Turn a disabled source back on with `pulse sources --enable KEY`."},
    "search": {"sv": "Sök i text", "en": "Search text"},
    "response": {"sv": "Uppföljning", "en": "Follow-up"},
    "needs_answer": {"sv": "Behöver svar", "en": "Needs answer"},
    "answered": {"sv": "Besvarad", "en": "Answered"},
    "clear_status": {"sv": "Ingen uppföljning", "en": "No follow-up"},
    "pick_mention": {"sv": "Välj omnämnande", "en": "Choose mention"},
    "page_no": {"sv": "Sida", "en": "Page"},
    "author": {"sv": "Författare", "en": "Author"},
    "engagement": {"sv": "Engagemang", "en": "Engagement"},
    "evidence": {"sv": "Belägg", "en": "Evidence"},
    "tags": {"sv": "Taggar", "en": "Tags"},
    "correct": {"sv": "Rätta taggar", "en": "Correct tags"},
    "analyst": {"sv": "Ditt namn", "en": "Your name"},
    "add_tags": {"sv": "Lägg till", "en": "Add"},
    "remove_tags": {"sv": "Ta bort", "en": "Remove"},
    "save_correction": {"sv": "Spara rättelse", "en": "Save correction"},
    "saved": {"sv": "Sparat. Alla sidor visar nu de rättade siffrorna.",
              "en": "Saved. Every page now shows the corrected figures."},
    "need_name": {"sv": "Skriv ditt namn: rättelser sparas med vem som gjorde dem.",
                  "en": "Enter your name: corrections are stored with who made them."},
    "nothing_changed": {"sv": "Inget ändrat.", "en": "Nothing changed."},
    "set_status": {"sv": "Spara uppföljning", "en": "Save follow-up"},
    "benchmark_title": {"sv": "Stockholms röstandel bland smarta städer",
                        "en": "Stockholm's share of voice among smart cities"},
    "benchmark_help": {
        "sv": "Andel av omnämnandena som nämner varje stad, bland omnämnanden som nämner någon "
              "av jämförelsestäderna.",
        "en": "Share of mentions naming each city, among mentions naming any of the benchmark "
              "cities."},
    "international_only": {"sv": "Bara internationell (engelskspråkig) bevakning",
                           "en": "Only international (English-language) coverage"},
    "city": {"sv": "Stad", "en": "City"},
    "city_sentiment": {"sv": "Ton per stad", "en": "Sentiment per city"},
    "no_cities": {"sv": "Inga jämförelsestäder är konfigurerade.",
                  "en": "No benchmark cities are configured."},
    "export": {"sv": "Exportera urvalet", "en": "Export the selection"},
    "export_format": {"sv": "Format", "en": "Format"},
    "download": {"sv": "Ladda ner {fmt}", "en": "Download {fmt}"},
    "export_help": {"sv": "Samma filter som sidorna, samma kod som `pulse export`. Tiderna i "
                          "filen är i UTC (ISO 8601, +00:00).",
                    "en": "The pages' filters, the same code as `pulse export`. Times in the "
                          "file are in UTC (ISO 8601, +00:00)."},
    "interval_help": {"sv": "Inom parentes: 90 % osäkerhetsintervall.",
                      "en": "In brackets: the 90 % uncertainty interval."},
    "share_ci": {"sv": "Andel (90 % intervall)", "en": "Share (90 % interval)"},
    "net_ci": {"sv": "Nettoton (90 % intervall)", "en": "Net sentiment (90 % interval)"},
    "net_by_group": {"sv": "Nettoton per målgrupp", "en": "Net sentiment per target group"},
    "times_in": {"sv": "Alla tider i lokal tid: {zone} ({abbr}).",
                 "en": "All times in local time: {zone} ({abbr})."},
    "value": {"sv": "Värde", "en": "Value"},
    "week_col": {"sv": "Vecka", "en": "Week"},
    "own_posts": {"sv": "Egna inlägg", "en": "Own posts"},
    "open_original": {"sv": "Öppna originalet", "en": "Open the original"},
    "likes": {"sv": "gillningar", "en": "likes"},
    "reposts": {"sv": "delningar", "en": "reposts"},
    "replies": {"sv": "svar", "en": "replies"},
    "quotes": {"sv": "citat", "en": "quotes"},
    "story_copies": {"sv": "Rättelsen gäller alla kopior av samma nyhet.",
                     "en": "The correction covers every copy of the same story."},
    "rows": {"sv": "rader", "en": "rows"},
    "analyst_help": {"sv": "Sparas med varje rättelse och uppföljning.",
                     "en": "Stored with every correction and follow-up."},
    "none_chosen": {"sv": "Inga", "en": "None"},
    "correction_history": {"sv": "Rättelser av nyheten ({n})",
                           "en": "Corrections of this story ({n})"},
    "undo": {"sv": "Ångra", "en": "Undo"},
    "undone": {"sv": "(ångrad)", "en": "(undone)"},
    "undo_row": {"sv": "{when} · {who} ångrade: {what}", "en": "{when} · {who} undid: {what}"},
    # --- who, what and why on the overview
    "drivers_title": {"sv": "Vad drev vecka {week}", "en": "What drove week {week}"},
    "top_engagement": {"sv": "Mest engagemang", "en": "Most engagement"},
    "top_copies": {"sv": "Flest kopior (spridda nyheter)", "en": "Most copies (spread stories)"},
    "top_sources": {"sv": "Källor som skrev mest", "en": "Sources that wrote most"},
    "top_authors": {"sv": "Författare som skrev mest", "en": "Authors who wrote most"},
    "rising_keywords": {"sv": "Nyckelord som ökade mest mot veckan före",
                        "en": "Keywords that rose most against the week before"},
    "rising_topics": {"sv": "Ämnen som ökade mest mot veckan före",
                      "en": "Topics that rose most against the week before"},
    "week_before": {"sv": "veckan före", "en": "the week before"},
    "nothing_rose": {"sv": "Inget ökade mot veckan före.",
                     "en": "Nothing rose against the week before."},
    "none_this_week": {"sv": "Inget under veckan.", "en": "Nothing this week."},
    "needs_answer_title": {"sv": "Negativa nyheter som behöver svar",
                           "en": "Negative stories that need an answer"},
    "none_waiting": {"sv": "Inga negativa nyheter väntar på svar under perioden.",
                     "en": "No negative story is waiting for an answer in the period."},
    "drill_short": {"sv": "Visa", "en": "Show"},
    "drill_week": {"sv": "Visa veckans omnämnanden", "en": "Show the week's mentions"},
    "drill_week_negative": {"sv": "Visa veckans negativa", "en": "Show the week's negative"},
    "drill_help": {"sv": "Öppna Omnämnanden filtrerat till dessa omnämnanden.",
                   "en": "Open Mentions filtered to these mentions."},
    "day_of": {"sv": "Dagen {day}", "en": "The day {day}"},
    "spike_stories": {"sv": "Störst", "en": "Biggest"},
    "spike_terms": {"sv": "Ord och ämnen", "en": "Terms and topics"},
    "spike_sources": {"sv": "Källor", "en": "Sources"},
    "drilled_story": {"sv": "Visar kopiorna av en nyhet.",
                      "en": "Showing the copies of one story."},
    "drilled_author": {"sv": "Visar omnämnanden av {author}.",
                       "en": "Showing mentions by {author}."},
    "drill_clear": {"sv": "Visa alla", "en": "Show all"},
    "previous": {"sv": "Föregående", "en": "Previous"},
    "next": {"sv": "Nästa", "en": "Next"},
    "page_of": {"sv": "Sida {page} av {pages}", "en": "Page {page} of {pages}"},
    # --- reports: the Activities and Measurement points pages
    "page_activities": {"sv": "Aktiviteter", "en": "Activities"},
    "page_kpis": {"sv": "Mätpunkter", "en": "Measurement points"},
    "activities_title": {"sv": "Aktiviteter: före, under och efter",
                         "en": "Activities: before, during and after"},
    "activities_help": {
        "sv": "Varje aktivitet i kampanjkalendern utvärderas bland sina målgrupper: dagarna före "
              "mot dagarna under och efter.",
        "en": "Each activity of the campaign calendar is evaluated among its target groups: the "
              "days before against the days during and after."},
    "no_activities": {"sv": "Kampanjkalendern är tom: lägg till [[activity]] i calendar.toml.",
                      "en": "The campaign calendar is empty: add [[activity]] to "
                            "calendar.toml."},
    "pick_activity": {"sv": "Aktivitet", "en": "Activity"},
    "download_summary": {"sv": "Sammanfattning för invånare (HTML)",
                         "en": "Summary for residents (HTML)"},
    "download_chart": {"sv": "Diagrammet (PNG)", "en": "The chart (PNG)"},
    "public_help": {"sv": "Klar att publicera på bloggen: bara antal och andelar, inga inlägg "
                          "och inga personer.",
                    "en": "Ready for the blog: counts and shares only, no posts and no "
                          "people."},
    "kpis_title": {"sv": "Mätpunkter vecka för vecka", "en": "Measurement points week by week"},
    "kpis_help": {
        "sv": "Stadens egna mätpunkter de 12 senaste hela veckorna i perioden, mot målet "
              "(streckad linje).",
        "en": "The city's own measurement points over the 12 last complete weeks of the "
              "period, against the target (dashed)."},
    "target": {"sv": "Mål", "en": "Target"},
    "kpi_latest": {"sv": "Senaste veckan", "en": "Last week"},
    "on_target": {"sv": "når målet", "en": "on target"},
    "off_target": {"sv": "når inte målet", "en": "misses the target"},
    "rests_on": {"sv": "vilar på", "en": "rests on"},
    # --- the review queue (Granska) and the accuracy panel
    "page_review": {"sv": "Granska", "en": "Review"},
    "review_title": {"sv": "Granska: där modellen är osäkrast och det väger mest",
                     "en": "Review: where the model is least sure and it weighs most"},
    "review_help": {
        "sv": "Tredjepartsnyheter från vecka {week} ({start}–{end}), den senaste hela veckan "
              "i perioden, som ingen har granskat. Ordnade efter (1 − modellens säkerhet) × "
              "vikt, där vikten växer med antalet kopior och engagemanget. En nyhet räknas "
              "en gång, som sin första kopia. Bekräftelser och rättelser lär modellen vid "
              "nästa `pulse train`.",
        "en": "Third-party stories of week {week} ({start}–{end}), the last complete week of "
              "the period, that nobody has reviewed. Ordered by (1 − the model's confidence) "
              "× weight, where the weight grows with copies and engagement. A story counts "
              "once, as its first copy. Confirmations and corrections teach the model at the "
              "next `pulse train`."},
    "review_remaining": {"sv": "{n} nyheter kvar att granska den veckan.",
                         "en": "{n} stories left to review that week."},
    "review_empty": {"sv": "Inget kvar att granska vecka {week}.",
                     "en": "Nothing left to review in week {week}."},
    "review_confirm": {"sv": "Stämmer", "en": "Correct as tagged"},
    "review_confirm_help": {"sv": "Maskinens etiketter är rätt: sparas som en bekräftelse "
                                  "(vem, när, vilka etiketter). Ändrar inga siffror.",
                            "en": "The machine's labels are right: stored as a confirmation "
                                  "(who, when, which labels). Changes no figure."},
    "review_fix": {"sv": "Rätta", "en": "Correct"},
    "review_confidence": {"sv": "säkerhet {p}", "en": "confidence {p}"},
    "review_probability": {"sv": "sannolikhet {p}", "en": "probability {p}"},
    "review_unknown": {"sv": "okänd", "en": "unknown"},
    "review_weight": {"sv": "kopior {copies} · engagemang {engagement} · vikt {weight}",
                      "en": "copies {copies} · engagement {engagement} · weight {weight}"},
    "review_confirmed": {"sv": "Bekräftat. Nyheten har lämnat kön.",
                         "en": "Confirmed. The story has left the queue."},
    "review_corrected": {"sv": "Rättat. Alla sidor visar nu de rättade siffrorna.",
                         "en": "Corrected. Every page now shows the corrected figures."},
    "review_undone": {"sv": "Bekräftelsen är ångrad: nyheten är tillbaka i kön.",
                      "en": "The confirmation is undone: the story is back in the queue."},
    "review_recent": {"sv": "Senaste bekräftelser ({n})", "en": "Latest confirmations ({n})"},
    "accuracy_title": {"sv": "Modellens träffsäkerhet", "en": "The model's accuracy"},
    "accuracy_none": {
        "sv": "Modellen är inte mätt än. Mät den på den orörda testdelen med "
              "`pulse eval --calibrate`.",
        "en": "The model has not been measured yet. Measure it on the untouched test part "
              "with `pulse eval --calibrate`."},
    "accuracy_measured": {"sv": "Modell {tagger}, mätt {date} på {source}.",
                          "en": "Model {tagger}, measured {date} on {source}."},
    "accuracy_previous": {"sv": "Förändring mot föregående modell ({tagger}, mätt {date}).",
                          "en": "Change against the previous model ({tagger}, measured "
                                "{date})."},
    "accuracy_first": {"sv": "Ingen tidigare mätning att jämföra med.",
                       "en": "No earlier measurement to compare with."},
    "accuracy_task": {"sv": "Uppgift", "en": "Task"},
    "accuracy_metric": {"sv": "Mått", "en": "Metric"},
    "accuracy_value": {"sv": "Värde (95 % intervall)", "en": "Value (95 % interval)"},
    "accuracy_n": {"sv": "Omnämnanden", "en": "Mentions"},
    "accuracy_change": {"sv": "Förändring", "en": "Change"},
    "metric_accuracy": {"sv": "träffsäkerhet", "en": "accuracy"},
    "metric_micro-F1": {"sv": "micro-F1", "en": "micro-F1"},
    "accuracy_points": {"sv": "{d} procentenheter", "en": "{d} points"},
    "task_language": {"sv": "Språk", "en": "Language"},
    "task_keywords": {"sv": "Nyckelord", "en": "Keywords"},
    "task_messages": {"sv": "Kärnbudskap", "en": "Core messages"},
    "task_topics": {"sv": "Ämnen", "en": "Topics"},
    "task_sentiment": {"sv": "Ton", "en": "Sentiment"},
    "task_voice": {"sv": "Röst", "en": "Voice"},
    "task_audiences": {"sv": "Målgrupper", "en": "Target groups"},
    "task_intent": {"sv": "Avsikt", "en": "Intent"},
    "reviews_since": {
        "sv": "Sedan mätningen {date}: {confirmed} bekräftade och {corrected} rättade "
              "omnämnanden ({total} granskade). De lär modellen vid nästa `pulse train`.",
        "en": "Since the measurement on {date}: {confirmed} confirmed and {corrected} "
              "corrected mentions ({total} reviewed). They teach the model at the next "
              "`pulse train`."},
    "reviews_all": {
        "sv": "Hittills: {confirmed} bekräftade och {corrected} rättade omnämnanden ({total} "
              "granskade). De lär modellen vid nästa `pulse train`.",
        "en": "So far: {confirmed} confirmed and {corrected} corrected mentions ({total} "
              "reviewed). They teach the model at the next `pulse train`."},
    # Login and roles (dashboard/access.py)
    "role_viewer": {"sv": "läsare", "en": "viewer"},
    "role_analyst": {"sv": "analytiker", "en": "analyst"},
    "role_admin": {"sv": "administratör", "en": "admin"},
    "role_none": {"sv": "ingen roll", "en": "no role"},
    "denied": {"sv": "Nekad: din roll ({role}) får inte göra detta, det kräver {needs}. "
                     "Inget sparades.",
               "en": "Refused: your role ({role}) may not do this; it takes {needs}. "
                     "Nothing was saved."},
    "needs_role": {"sv": "Din roll ({role}) kan bara läsa här; det kräver {needs}.",
                   "en": "Your role ({role}) can only read here; this takes {needs}."},
    "local_only": {
        "sv": "Pulse visar inga data här: instrumentpanelen nås från en annan dator men "
              "inloggning är inte påslagen. Sätt login = \"oidc\" under [dashboard] i "
              "pulse.toml och [auth] i Streamlits secrets-fil, eller kör den på 127.0.0.1.",
        "en": "Pulse shows no data here: the dashboard is reached from another machine but "
              "login is not on. Set login = \"oidc\" under [dashboard] in pulse.toml and "
              "[auth] in Streamlit's secrets file, or run it on 127.0.0.1."},
    "login_unconfigured": {
        "sv": "Inloggning är påslagen (login = \"oidc\") men [auth] i Streamlits secrets-fil "
              "saknar {keys}. Inga data visas.",
        "en": "Login is on (login = \"oidc\") but [auth] in Streamlit's secrets file lacks "
              "{keys}. No data is shown."},
    "login_needed": {"sv": "Logga in med ditt konto i staden för att se Pulse.",
                     "en": "Log in with your city account to see Pulse."},
    "login": {"sv": "Logga in / Log in", "en": "Log in / Logga in"},
    "logout": {"sv": "Logga ut", "en": "Log out"},
    "logged_in_as": {"sv": "Inloggad som {who} ({role})", "en": "Logged in as {who} ({role})"},
    "no_role": {"sv": "{who} har ingen roll i Pulse och får inte se något här. Be en "
                      "administratör lägga till dig under [dashboard.roles] i pulse.toml.",
                "en": "{who} has no role in Pulse and may see nothing here. Ask an admin to "
                      "add you under [dashboard.roles] in pulse.toml."},
    "enable_source": {"sv": "Slå på {source} igen", "en": "Re-enable {source}"},
    "source_enabled": {"sv": "Källan {source} är påslagen igen.",
                       "en": "The source {source} is enabled again."},
    "enable_admin_only": {"sv": "Bara en administratör kan slå på en avstängd källa igen.",
                          "en": "Only an admin can re-enable a disabled source."},
}


# Counted phrases: (one, many) per language, with {n} the number.
PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "mentions_n": {"sv": ("{n} omnämnande", "{n} omnämnanden"),
                   "en": ("{n} mention", "{n} mentions")},
    "copies_n": {"sv": ("{n} kopia", "{n} kopior"), "en": ("{n} copy", "{n} copies")},
    "engagement_n": {"sv": ("{n} reaktion", "{n} reaktioner"),
                     "en": ("{n} reaction", "{n} reactions")},
    "waiting_n": {"sv": ("**{n}** negativ nyhet väntar på svar.",
                         "**{n}** negativa nyheter väntar på svar."),
                  "en": ("**{n}** negative story is waiting for an answer.",
                         "**{n}** negative stories are waiting for an answer.")},
    "results": {"sv": ("{n} omnämnande matchar. Visar {shown}.",
                       "{n} omnämnanden matchar. Visar {shown}."),
                "en": ("{n} mention matches. Showing {shown}.",
                       "{n} mentions match. Showing {shown}.")},
}


def plural(key: str, lang: str, n: int, **kwargs) -> str:
    """Return the counted phrase `key` for `n` in `lang`: singular for 1, plural otherwise
    ("1 omnämnande", "3 omnämnanden"); `n` is grouped as people read numbers."""
    from dashboard.fmt import number

    forms = PLURALS[key].get(lang) or PLURALS[key]["sv"]
    return forms[0 if n == 1 else 1].format(n=number(n), **kwargs)


def t(key: str, lang: str, **kwargs) -> str:
    """Return the label `key` in `lang` (falls back to Swedish, then to the key)."""
    entry = LABELS.get(key, {})
    text = entry.get(lang) or entry.get("sv") or key
    return text.format(**kwargs) if kwargs else text
