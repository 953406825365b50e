"""The challenges admin: read-only records of practice and challenges, and the managers'
scoreboard (a page per trainee, CSV export), served by the challenge sessions' ModelAdmin."""

from challenges.admin import records  # noqa: F401 - registers the ModelAdmins
