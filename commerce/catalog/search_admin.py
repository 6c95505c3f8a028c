"""Admin screens for search: the zero-result report and the synonyms snippet."""

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.views.snippets import SnippetViewSet

from .analytics import top_search_misses
from .models import Synonym

REPORT_DAYS = 7


class SearchMissesReportView(ReportView):
    """The queries shoppers searched most often without finding anything, over the
    last seven days: what to add synonyms (Snippets → Synonyms) or products for."""

    page_title = "Searches that found nothing"
    header_icon = "search"
    index_url_name = "catalog_search_misses"
    index_results_url_name = "catalog_search_misses_results"
    paginate_by = 50
    list_export = ["query", "searches", "last_seen"]
    export_headings = {
        "query": "Query",
        "searches": f"Searches (last {REPORT_DAYS} days)",
        "last_seen": "Last searched",
    }
    columns = [
        Column("query", label="Query", accessor=lambda row: row["query"]),
        Column(
            "searches",
            label=f"Searches (last {REPORT_DAYS} days)",
            accessor=lambda row: row["searches"],
        ),
        Column(
            "last_seen",
            label="Last searched",
            accessor=lambda row: row["last_seen"].strftime("%Y-%m-%d %H:%M UTC"),
        ),
    ]

    def get_queryset(self):
        return top_search_misses(days=REPORT_DAYS, limit=500)

    def get_filename(self):
        return "searches-that-found-nothing"


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "resubmit"
    menu_label = "Synonyms"
    menu_name = "synonyms"
    add_to_admin_menu = False
    list_display = ["terms", "updated_at"]
    search_fields = ["terms"]
