"""The workflow (审核流程): declaring, reviewing, deciding and publishing powers, change notices, the working
calendar, revisions of published powers (动态管理) and the versions they publish, and the leading group (附1)."""
