"""The public site's own pages and their content: the home page, service guides (办事指南) and
policy notices, which officers write in the admin, and their demo content from the seeds."""
