"""Collection toward 95% participation (医保发〔2022〕20号): the progress of a scope, the people
not yet enrolled, collective and tax-channel payments, and reminders to those who have not paid."""
