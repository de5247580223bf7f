"""Life events in the registry: newborns registered with their birth certificate (出生一件事),
moves within, out of and into the pooling region (转移接续), deaths from a clerk or the civil-affairs
list, and enrollments duplicated with employee insurance or another region (清理重复参保)."""
