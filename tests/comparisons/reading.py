"""Reading a built `Matrix` the way the tests look at it: by feature and framework id."""

from comparisons.records import Cell, Matrix, Row


def matrix_rows(matrix: Matrix) -> list[Row]:
    """Every row, in page order, whatever section and category group holds it."""
    return [row for section in matrix.sections for group in section.groups for row in group.rows]


def matrix_cells(matrix: Matrix) -> dict[int, dict[int, Cell]]:
    """{feature_id: {framework_id: cell}}"""
    return {
        row.feature_id: {cell.framework_id: cell for cell in row.cells}
        for row in matrix_rows(matrix)
    }
