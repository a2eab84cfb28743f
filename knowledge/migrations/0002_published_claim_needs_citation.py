"""The citation rule held by PostgreSQL itself: no commit may leave a published claim without a
citation, whatever wrote it (the admin, loadkb, a shell, raw SQL).

Constraint triggers, deferred to the commit, so that one transaction may publish a claim and
add its citations in either order (loadkb does). The check locks the claim row, so that two
transactions (one publishing, one deleting the last citation) cannot both pass it. SQLite has no deferred triggers: there the
services lock the claim row and SQLite lets one writer in at a time (settings.py,
`transaction_mode`), so the checks in knowledge/services.py cannot interleave.
"""

from django.db import migrations

# The rule's name is in the error text: knowledge.services.breaks_citation_rule looks for it.
CREATE = """
CREATE FUNCTION knowledge_published_claim_needs_citation() RETURNS trigger AS $$
DECLARE
    target bigint;
BEGIN
    IF TG_TABLE_NAME = 'knowledge_claim' THEN
        target := NEW.id;
    ELSE
        target := OLD.claim_id;
    END IF;
    -- Wait for, then see, a concurrent publish of the claim: without this lock, a publish and
    -- a delete of its last citation each pass their check, neither seeing the other's write.
    PERFORM 1 FROM knowledge_claim WHERE id = target FOR UPDATE;
    IF EXISTS (
        SELECT 1 FROM knowledge_claim AS c
        WHERE c.id = target AND c.status = 'published'
          AND NOT EXISTS (SELECT 1 FROM knowledge_citation AS ci WHERE ci.claim_id = c.id)
    ) THEN
        RAISE EXCEPTION 'published_claim_needs_citation: published claim % has no citation', target
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER published_claim_needs_citation
    AFTER INSERT OR UPDATE OF status ON knowledge_claim
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'published')
    EXECUTE FUNCTION knowledge_published_claim_needs_citation();

CREATE CONSTRAINT TRIGGER published_claim_keeps_a_citation
    AFTER DELETE OR UPDATE OF claim_id ON knowledge_citation
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION knowledge_published_claim_needs_citation();
"""

DROP = """
DROP TRIGGER IF EXISTS published_claim_keeps_a_citation ON knowledge_citation;
DROP TRIGGER IF EXISTS published_claim_needs_citation ON knowledge_claim;
DROP FUNCTION IF EXISTS knowledge_published_claim_needs_citation();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the RAISE format uses % of its own.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
