from painapp.accounts.middleware import membership_for


def membership(request):
    m = membership_for(request)
    return {
        "membership": m,
        "role": m.role if m else None,
        "has_several_practices": getattr(request, "_membership_count", 0) > 1,
    }
