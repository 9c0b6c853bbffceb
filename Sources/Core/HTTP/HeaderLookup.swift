import HTTPTypes

extension HTTPFields {
    /// `self[name]`, found by a plain walk over the fields. The subscript joins the values
    /// through generic lazy sequences even when there is one, which instantiates type
    /// metadata at run time on every call; the request path reads several headers per
    /// request (issue #15). Several fields of the name still come back joined, as the
    /// subscript does it.
    @inlinable
    public func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}
