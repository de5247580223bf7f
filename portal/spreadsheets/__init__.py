"""Spreadsheets in and out: reading uploaded CSV and XLSX files into rows with every limit (size,
rows, what the content really is), the forms of the officers' import and export pages, the
base import-export resource, and downloads in which no cell runs as a formula."""
