"""零星（手工）报销: care the resident paid in full, claimed at the station, priced with the benefit
engine after what the year already used, pre-reviewed by the township (初审), reviewed by the
county (复审), then paid."""
